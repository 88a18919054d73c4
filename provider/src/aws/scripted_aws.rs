//! A stand-in for AWS in unit tests that need what mocks cannot give: a
//! connection that breaks before the answer (the SDK then counts an
//! unanswered attempt and retries). Each request is answered by a handler
//! from its operation (`X-Amz-Target`, or the query `Action`) and body, on
//! a loopback port; every answer closes its connection, so each attempt is
//! a connection of its own.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::{AwsClients, ProviderConfig, Service};

/// What the stand-in does with one request.
pub enum Answer {
    /// Close the connection without an answer.
    Drop,
    /// Answer with this HTTP status and JSON body.
    Json(u16, String),
    /// Answer with this HTTP status, these headers and JSON body (REST
    /// protocols put some output members in headers).
    WithHeaders(u16, Vec<(String, String)>, String),
}

type Handler = dyn Fn(&str, &str, &str) -> Answer + Send + Sync;

/// The stand-in: its URL and the operations it was called with.
pub struct ScriptedAws {
    pub url: String,
    calls: Arc<Mutex<Vec<String>>>,
}

impl ScriptedAws {
    /// Serves `handler(operation, body)` on a loopback port.
    pub async fn start(handler: impl Fn(&str, &str) -> Answer + Send + Sync + 'static) -> Self {
        Self::start_with_head(move |operation, _head, body| handler(operation, body)).await
    }

    /// Serves `handler(operation, request head, body)` on a loopback port,
    /// for requests whose input travels in headers too.
    pub async fn start_with_head(
        handler: impl Fn(&str, &str, &str) -> Answer + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let calls = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let seen = calls.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (handler, seen) = (handler.clone(), seen.clone());
                tokio::spawn(async move { serve(socket, &*handler, &seen).await });
            }
        });
        ScriptedAws { url, calls }
    }

    /// The operations called so far, in order (dropped attempts included).
    pub fn calls(&self) -> Vec<String> {
        self.calls.lock().expect("calls").clone()
    }

    /// How many times `operation` was called.
    pub fn count(&self, operation: &str) -> usize {
        self.calls()
            .iter()
            .filter(|call| *call == operation)
            .count()
    }

    /// Clients of every service pointed at the stand-in, with static
    /// credentials and the provider's retries at `max_attempts`.
    pub async fn clients(&self, max_attempts: u32) -> AwsClients {
        let config = ProviderConfig {
            region: Some("us-east-1".into()),
            max_attempts: Some(max_attempts),
            ..ProviderConfig::default()
        };
        let shared = config
            .loader()
            .credentials_provider(aws_credential_types::Credentials::new(
                "key",
                "secret",
                None,
                None,
                "unit-test",
            ))
            .load()
            .await;
        let url = self.url.clone();
        AwsClients::from_shared(
            &shared,
            move |_: Service| Some(url.clone()),
            BTreeMap::new(),
        )
    }
}

/// Reads one request, records its operation and answers it.
async fn serve(mut socket: TcpStream, handler: &Handler, seen: &Mutex<Vec<String>>) {
    let Some((head, body)) = read_request(&mut socket).await else {
        return;
    };
    let operation = operation_of(&head, &body);
    seen.lock().expect("calls").push(operation.clone());
    let (status, headers, json) = match handler(&operation, &head, &body) {
        Answer::Drop => return drop(socket),
        Answer::Json(status, json) => (status, Vec::new(), json),
        Answer::WithHeaders(status, headers, json) => (status, headers, json),
    };
    let extra: String = headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect();
    let response = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/x-amz-json-1.1\r\n{extra}\
         Content-Length: {}\r\nConnection: close\r\n\r\n{json}",
        json.len()
    );
    let _ = socket.write_all(response.as_bytes()).await;
    let _ = socket.shutdown().await;
}

/// The request's head and body.
async fn read_request(socket: &mut TcpStream) -> Option<(String, String)> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buffer).into_owned();
        let Some(end) = text.find("\r\n\r\n") else {
            continue;
        };
        let head = text[..end].to_owned();
        let length = header(&head, "content-length")
            .and_then(|value| value.parse::<usize>().ok())
            .unwrap_or(0);
        if buffer.len() >= end + 4 + length {
            let body = String::from_utf8_lossy(&buffer[end + 4..end + 4 + length]).into_owned();
            return Some((head, body));
        }
    }
}

/// `CreateModel` from `x-amz-target: SageMaker.CreateModel` (JSON
/// protocols) or `Action=CreateRole` (query protocols); for REST protocols,
/// the method and path, e.g. `POST /applications`.
fn operation_of(head: &str, body: &str) -> String {
    if let Some(target) = header(head, "x-amz-target") {
        return target.rsplit('.').next().unwrap_or_default().to_owned();
    }
    if let Some(action) = body
        .split('&')
        .find_map(|pair| pair.strip_prefix("Action="))
    {
        return action.to_owned();
    }
    let mut request_line = head.lines().next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default();
    let path = request_line.next().unwrap_or_default();
    let path = path.split('?').next().unwrap_or_default();
    format!("{method} {path}")
}

/// The value of header `name` (case-insensitive) in a request head.
pub fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}
