//! Shared helpers for the in-process gRPC contract tests: a provider served
//! on a loopback port, a connected client, and protobuf values written as
//! JSON.

#![allow(dead_code)]

pub mod fake_sts;
pub mod monitor;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use framework::proto::resource_provider_client::ResourceProviderClient;
use prost_types::{ListValue, Struct, Value, value::Kind};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tonic::transport::{Channel, Endpoint};

/// The generic unknown sentinel.
pub const UNKNOWN: &str = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/// Key that marks a special object.
pub const SPECIAL: &str = "4dabf18193072939515e22adb298388d";
/// Signature of a secret.
pub const SECRET: &str = "1b47061264138c4ac30d75fd1eb44270";

/// Largest message the engine exchanges with providers.
pub const MAX_MESSAGE: usize = 400 * 1024 * 1024;

/// A provider served in-process; stops when dropped.
pub struct Provider {
    pub addr: SocketAddr,
    pub channel: Channel,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl Provider {
    /// Serves the provider on `127.0.0.1:0` and connects to it.
    pub async fn start() -> Provider {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local address");
        let (shutdown, stop) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            sagemaker_deployment_provider::run(listener, None, async {
                let _ = stop.await;
            })
            .await
            .expect("the provider serves");
        });
        let channel = Endpoint::from_shared(format!("http://{addr}"))
            .expect("valid address")
            .connect_timeout(Duration::from_secs(5))
            .connect()
            .await
            .expect("connect to the provider");
        Provider {
            addr,
            channel,
            shutdown: Some(shutdown),
            server: Some(server),
        }
    }

    /// A client of the provider, with the engine's message limits.
    pub fn client(&self) -> ResourceProviderClient<Channel> {
        ResourceProviderClient::new(self.channel.clone())
            .max_decoding_message_size(MAX_MESSAGE)
            .max_encoding_message_size(MAX_MESSAGE)
    }

    /// Stops the server and waits for it to finish.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), server).await;
        }
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// A TCP listener that counts the connections made to it, standing in for
/// AWS (or the engine's monitor) to prove that nothing called it.
pub struct Tripwire {
    pub addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Tripwire {
    pub async fn start() -> Tripwire {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local address");
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                drop(socket);
            }
        });
        Tripwire {
            addr,
            connections,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for Tripwire {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A loopback address nothing listens on.
pub async fn dead_address() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local address");
    drop(listener);
    addr
}

/// A protobuf value written as JSON.
pub fn pb(json: serde_json::Value) -> Value {
    let kind = match json {
        serde_json::Value::Null => Kind::NullValue(0),
        serde_json::Value::Bool(flag) => Kind::BoolValue(flag),
        serde_json::Value::Number(number) => Kind::NumberValue(number.as_f64().expect("a number")),
        serde_json::Value::String(text) => Kind::StringValue(text),
        serde_json::Value::Array(items) => Kind::ListValue(ListValue {
            values: items.into_iter().map(pb).collect(),
        }),
        serde_json::Value::Object(object) => Kind::StructValue(Struct {
            fields: object.into_iter().map(|(k, v)| (k, pb(v))).collect(),
        }),
    };
    Value { kind: Some(kind) }
}

/// A protobuf struct written as a JSON object.
pub fn pb_struct(json: serde_json::Value) -> Struct {
    match pb(json).kind {
        Some(Kind::StructValue(object)) => object,
        other => panic!("not an object: {other:?}"),
    }
}

/// A protobuf value read back as JSON (for assertions).
pub fn to_json(value: &Value) -> serde_json::Value {
    match &value.kind {
        None | Some(Kind::NullValue(_)) => serde_json::Value::Null,
        Some(Kind::BoolValue(flag)) => serde_json::Value::Bool(*flag),
        Some(Kind::NumberValue(number)) => serde_json::json!(number),
        Some(Kind::StringValue(text)) => serde_json::Value::String(text.clone()),
        Some(Kind::ListValue(list)) => list.values.iter().map(to_json).collect(),
        Some(Kind::StructValue(object)) => struct_to_json(object),
    }
}

/// A protobuf struct read back as JSON.
pub fn struct_to_json(object: &Struct) -> serde_json::Value {
    serde_json::Value::Object(
        object
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), to_json(v)))
            .collect(),
    )
}

/// The secret wrapper of a value.
pub fn secret(value: serde_json::Value) -> serde_json::Value {
    serde_json::json!({ SPECIAL: SECRET, "value": value })
}
