//! A stand-in for AWS STS that answers every request with
//! GetCallerIdentity of one account, for components that name AWS objects
//! by account (BaseInfra, the endpoint's grant to read its rollback alarms).

use std::net::SocketAddr;
use std::sync::Once;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The account the stand-in answers.
pub const ACCOUNT: &str = "123456789012";

/// Answers GetCallerIdentity for [`ACCOUNT`]; stops when dropped.
pub struct FakeSts {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl FakeSts {
    pub async fn start() -> FakeSts {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local address");
        let task = tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    // One small form-encoded request per connection is all
                    // the SDK sends; its content does not matter here.
                    let mut request = vec![0; 64 * 1024];
                    let _ = socket.read(&mut request).await;
                    let body = format!(
                        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
                         <GetCallerIdentityResult><Arn>arn:aws:iam::{ACCOUNT}:user/tests</Arn>\
                         <UserId>AIDATESTS</UserId><Account>{ACCOUNT}</Account></GetCallerIdentityResult>\
                         <ResponseMetadata><RequestId>tests</RequestId></ResponseMetadata>\
                         </GetCallerIdentityResponse>"
                    );
                    let response = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(response.as_bytes()).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        FakeSts { addr, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for FakeSts {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Static test credentials in the environment, so that the SDK signs its
/// requests to the stand-in. Call it before any provider of the test binary
/// starts: the variables are set once, while every other caller waits.
pub fn use_test_credentials() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: called by every test of the binary before it starts a
        // provider or reads the environment; `Once` makes the other tests
        // wait until the variables are set, so nothing reads them meanwhile.
        unsafe {
            std::env::set_var("AWS_ACCESS_KEY_ID", "AKIATESTS");
            std::env::set_var("AWS_SECRET_ACCESS_KEY", "tests");
        }
    });
}
