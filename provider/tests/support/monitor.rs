//! A stand-in for the engine's resource monitor: it records every
//! registration a component makes and answers custom resources the way the
//! engine does after creating them (their inputs plus the outputs the
//! provider computes).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use framework::proto::resource_monitor_server::{ResourceMonitor, ResourceMonitorServer};
use framework::proto::{
    RegisterResourceOutputsRequest, RegisterResourceRequest, RegisterResourceResponse,
    SupportsFeatureRequest, SupportsFeatureResponse,
};
use prost_types::Struct;
use tokio::net::TcpListener;
use tonic::{Request, Response, Status};

use super::{pb, struct_to_json};

/// One child as the component registered it.
#[derive(Debug, Clone)]
pub struct Registration {
    /// Type token, e.g. `sagemaker-deployment:sagemaker:Endpoint`.
    pub token: String,
    /// The child's name.
    pub name: String,
    /// URN of its parent.
    pub parent: String,
    /// True for a custom resource, false for a component.
    pub custom: bool,
    /// Its inputs, as JSON.
    pub inputs: serde_json::Value,
    /// URNs it waits for, sorted.
    pub dependencies: Vec<String>,
    /// URNs each input comes from, sorted, by input name.
    pub property_dependencies: std::collections::BTreeMap<String, Vec<String>>,
}

impl Registration {
    /// The URN the monitor gave it.
    pub fn urn(&self) -> String {
        urn(&self.token, &self.name)
    }
}

fn urn(token: &str, name: &str) -> String {
    format!("urn:pulumi:dev::proj::{token}::{name}")
}

#[derive(Default)]
struct Recorder {
    registered: Mutex<Vec<Registration>>,
    outputs: Mutex<Vec<(String, serde_json::Value)>>,
}

/// Outputs the provider computes on create, keyed by type token; the
/// monitor adds them to the inputs it echoes.
fn computed_outputs(token: &str, name: &str, inputs: &serde_json::Value) -> serde_json::Value {
    let arn = format!("arn:aws:test:us-east-1:123456789012:{name}");
    match token.rsplit(':').next().unwrap_or_default() {
        "EndpointConfig" => serde_json::json!({
            "arn": arn,
            "endpointConfigName": format!("{}-0123456789ab", inputs["namePrefix"].as_str().unwrap_or(name)),
        }),
        "ScalingPolicy" => serde_json::json!({ "policyArn": arn }),
        _ => serde_json::json!({ "arn": arn }),
    }
}

/// The gRPC service over a shared recorder.
struct Recording(Arc<Recorder>);

#[tonic::async_trait]
impl ResourceMonitor for Recording {
    async fn supports_feature(
        &self,
        _: Request<SupportsFeatureRequest>,
    ) -> Result<Response<SupportsFeatureResponse>, Status> {
        Ok(Response::new(SupportsFeatureResponse { has_support: true }))
    }

    async fn register_resource(
        &self,
        request: Request<RegisterResourceRequest>,
    ) -> Result<Response<RegisterResourceResponse>, Status> {
        let request = request.into_inner();
        let inputs = request
            .object
            .as_ref()
            .map(struct_to_json)
            .unwrap_or_default();
        let mut dependencies = request.dependencies.clone();
        dependencies.sort();
        let property_dependencies = request
            .property_dependencies
            .iter()
            .map(|(key, deps)| {
                let mut urns = deps.urns.clone();
                urns.sort();
                (key.clone(), urns)
            })
            .collect();
        let mut answer = inputs.clone();
        if request.custom
            && let (Some(answer), serde_json::Value::Object(computed)) = (
                answer.as_object_mut(),
                computed_outputs(&request.r#type, &request.name, &inputs),
            )
        {
            answer.extend(computed);
        }
        let object = match pb(answer).kind {
            Some(prost_types::value::Kind::StructValue(object)) => object,
            _ => Struct::default(),
        };
        self.0.registered.lock().unwrap().push(Registration {
            token: request.r#type.clone(),
            name: request.name.clone(),
            parent: request.parent.clone(),
            custom: request.custom,
            inputs,
            dependencies,
            property_dependencies,
        });
        Ok(Response::new(RegisterResourceResponse {
            urn: urn(&request.r#type, &request.name),
            object: Some(object),
            ..Default::default()
        }))
    }

    async fn register_resource_outputs(
        &self,
        request: Request<RegisterResourceOutputsRequest>,
    ) -> Result<Response<()>, Status> {
        let request = request.into_inner();
        let outputs = request
            .outputs
            .as_ref()
            .map(struct_to_json)
            .unwrap_or_default();
        self.0.outputs.lock().unwrap().push((request.urn, outputs));
        Ok(Response::new(()))
    }
}

/// A recording resource monitor served on a loopback port.
pub struct Monitor {
    pub addr: SocketAddr,
    recorder: Arc<Recorder>,
    task: tokio::task::JoinHandle<()>,
}

impl Monitor {
    pub async fn start() -> Monitor {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local address");
        let recorder = Arc::new(Recorder::default());
        let server = tonic::transport::Server::builder()
            .add_service(ResourceMonitorServer::new(Recording(recorder.clone())))
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener));
        let task = tokio::spawn(async move {
            let _ = server.await;
        });
        Monitor {
            addr,
            recorder,
            task,
        }
    }

    /// Every registration so far, in the order they arrived.
    pub fn registrations(&self) -> Vec<Registration> {
        self.recorder.registered.lock().unwrap().clone()
    }

    /// The custom resources registered so far, sorted by name.
    pub fn children(&self) -> Vec<Registration> {
        let mut children: Vec<Registration> = self
            .registrations()
            .into_iter()
            .filter(|r| r.custom)
            .collect();
        children.sort_by(|a, b| a.name.cmp(&b.name));
        children
    }

    /// The outputs recorded for the resource `urn`, if any.
    pub fn outputs_of(&self, urn: &str) -> Option<serde_json::Value> {
        self.recorder
            .outputs
            .lock()
            .unwrap()
            .iter()
            .find(|(at, _)| at == urn)
            .map(|(_, outputs)| outputs.clone())
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        self.task.abort();
    }
}
