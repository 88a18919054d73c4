//! A client of the engine's own service, for diagnostics and progress.

use tokio::sync::OnceCell;
use tonic::transport::{Channel, Endpoint};

use crate::proto::{LogRequest, LogSeverity, engine_client::EngineClient};

/// Sends log messages and ephemeral status lines to the engine. Connects on
/// first use; a failure to log never fails an operation.
#[derive(Debug, Default)]
pub struct EngineLogger {
    address: std::sync::Mutex<Option<String>>,
    channel: OnceCell<Option<Channel>>,
}

impl EngineLogger {
    /// A logger for the engine at `address` (`host:port`).
    pub fn new(address: Option<String>) -> Self {
        EngineLogger {
            address: std::sync::Mutex::new(address),
            channel: OnceCell::new(),
        }
    }

    /// Sets the engine address when the handshake brings one.
    pub fn set_address(&self, address: String) {
        if let Ok(mut slot) = self.address.lock()
            && slot.is_none()
        {
            *slot = Some(address);
        }
    }

    async fn client(&self) -> Option<EngineClient<Channel>> {
        let address = self.address.lock().ok()?.clone()?;
        let channel = self
            .channel
            .get_or_init(|| async move {
                let uri = if address.starts_with("http") {
                    address
                } else {
                    format!("http://{address}")
                };
                Endpoint::from_shared(uri).ok().map(|e| e.connect_lazy())
            })
            .await
            .clone()?;
        Some(EngineClient::new(channel))
    }

    /// Logs a message about `urn` (empty for a global message).
    pub async fn log(&self, severity: LogSeverity, urn: &str, message: impl Into<String>) {
        self.send(severity, urn, message.into(), false).await;
    }

    /// Shows a transient status line for `urn`, e.g. progress of a wait.
    pub async fn status(&self, urn: &str, message: impl Into<String>) {
        self.send(LogSeverity::Info, urn, message.into(), true)
            .await;
    }

    async fn send(&self, severity: LogSeverity, urn: &str, message: String, ephemeral: bool) {
        tracing::debug!(%urn, %message, ephemeral, "engine log");
        let Some(mut client) = self.client().await else {
            return;
        };
        let request = LogRequest {
            severity: severity as i32,
            message,
            urn: urn.to_owned(),
            stream_id: 0,
            ephemeral,
        };
        if let Err(error) = client.log(request).await {
            tracing::debug!(%error, "engine log failed");
        }
    }
}
