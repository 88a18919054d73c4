//! The retry behaviour of the provider's AWS clients, end to end through
//! the SDK: throttling is retried with exponential backoff, and a request
//! the SDK gives up on fails with one error that names the operation, the
//! service and the attempts.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_sdk_sagemaker::operation::describe_endpoint::DescribeEndpointOutput;
use aws_smithy_mocks::mock;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

use super::{
    AwsClients, AwsErrorKind, Endpoints, ProviderConfig, ResultExt, RetrySettings, Service,
};

const THROTTLED: &str = r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#;
const UNAVAILABLE: &str = r#"{"__type":"ServiceUnavailable","message":"The request has failed due to a temporary failure of the server."}"#;

/// The provider's retry configuration for `attempts`, with the jitter
/// turned off so that the backoff is exact: 200 ms, then doubling.
fn without_jitter(attempts: u32) -> aws_config::retry::RetryConfig {
    RetrySettings::configured(None, Some(attempts))
        .retry_config()
        .with_use_static_exponential_base(true)
}

async fn describe(clients: &AwsClients) -> Result<DescribeEndpointOutput, super::AwsError> {
    clients
        .sagemaker
        .describe_endpoint()
        .endpoint_name("fraud")
        .send()
        .await
        .aws(Service::SageMaker, "DescribeEndpoint")
}

#[tokio::test(start_paused = true)]
async fn throttling_is_retried_with_exponential_backoff_until_it_passes() {
    let rule = mock!(aws_sdk_sagemaker::Client::describe_endpoint)
        .sequence()
        .http_status(400, Some(THROTTLED.to_owned()))
        .times(3)
        .output(|| {
            DescribeEndpointOutput::builder()
                .endpoint_name("fraud")
                .build()
        })
        .build();
    let clients = AwsClients::mocked_with_retries(&[&rule], without_jitter(6));
    let started = tokio::time::Instant::now();
    let found = describe(&clients).await.expect("the fourth attempt passes");
    assert_eq!(found.endpoint_name(), Some("fraud"));
    assert_eq!(rule.num_calls(), 4);
    // Three backoffs before the three retries: 200 + 400 + 800 ms.
    assert_eq!(started.elapsed(), Duration::from_millis(1400));
}

#[tokio::test(start_paused = true)]
async fn throttling_that_outlasts_the_attempts_is_one_error_naming_them() {
    let rule = mock!(aws_sdk_sagemaker::Client::describe_endpoint)
        .sequence()
        .http_status(400, Some(THROTTLED.to_owned()))
        .repeatedly()
        .build();
    let clients = AwsClients::mocked_with_retries(&[&rule], without_jitter(3));
    let error = describe(&clients).await.expect_err("always throttled");
    assert_eq!(rule.num_calls(), 3);
    assert_eq!(error.kind, AwsErrorKind::Throttled);
    assert_eq!(error.attempts, Some(3));
    assert_eq!(
        error.to_string(),
        "sagemaker DescribeEndpoint failed after 3 attempts: Rate exceeded (ThrottlingException)"
    );
}

#[tokio::test(start_paused = true)]
async fn a_server_error_is_retried_and_reported_as_a_service_failure() {
    let rule = mock!(aws_sdk_sagemaker::Client::describe_endpoint)
        .sequence()
        .http_status(503, Some(UNAVAILABLE.to_owned()))
        .repeatedly()
        .build();
    let clients = AwsClients::mocked_with_retries(&[&rule], without_jitter(2));
    let error = describe(&clients).await.expect_err("always unavailable");
    assert_eq!(rule.num_calls(), 2);
    assert_eq!(error.kind, AwsErrorKind::ServiceFailure);
    assert!(error.is_transient());
    assert_eq!(
        error.to_string(),
        "sagemaker DescribeEndpoint failed after 2 attempts: The request has failed due to a \
         temporary failure of the server. (ServiceUnavailable)"
    );
}

#[tokio::test(start_paused = true)]
async fn with_one_attempt_nothing_is_retried() {
    let rule = mock!(aws_sdk_sagemaker::Client::describe_endpoint)
        .sequence()
        .http_status(400, Some(THROTTLED.to_owned()))
        .repeatedly()
        .build();
    let clients = AwsClients::mocked_with_retries(&[&rule], without_jitter(1));
    let error = describe(&clients).await.expect_err("throttled");
    assert_eq!(rule.num_calls(), 1);
    assert_eq!(
        error.to_string(),
        "sagemaker DescribeEndpoint failed after 1 attempt: Rate exceeded (ThrottlingException)"
    );
}

/// A server that reads each request and closes the connection without an
/// answer, as a network failure between the provider and AWS does.
async fn closing_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let counted = counted.clone();
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                if matches!(socket.read(&mut buffer).await, Ok(n) if n > 0) {
                    counted.fetch_add(1, Ordering::SeqCst);
                }
                drop(socket);
            });
        }
    });
    (url, requests)
}

#[tokio::test]
async fn a_request_that_never_gets_an_answer_fails_once_naming_the_attempts() {
    let (url, requests) = closing_server().await;
    let config = ProviderConfig {
        region: Some("us-east-1".into()),
        endpoints: Some(Endpoints {
            sagemaker: Some(url.clone()),
            ..Endpoints::default()
        }),
        max_attempts: Some(3),
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
    let clients = AwsClients::from_shared(
        &shared,
        |service| (service == Service::SageMaker).then(|| url.clone()),
        Default::default(),
    );
    let error = describe(&clients).await.expect_err("no answer");
    assert_eq!(
        requests.load(Ordering::SeqCst),
        3,
        "one request per attempt"
    );
    assert_eq!(error.kind, AwsErrorKind::Unanswered);
    assert_eq!(error.attempts, Some(3));
    let text = error.to_string();
    assert!(
        text.starts_with(
            "sagemaker DescribeEndpoint failed after 3 attempts: no answer from AWS: "
        ),
        "{text}"
    );
    // One line in words, not the SDK's debug dump of its error types.
    assert!(!text.contains('\n'), "{text}");
    for dump in [
        "ConnectorError",
        "DispatchFailure",
        "Some(",
        "source:",
        "kind:",
    ] {
        assert!(!text.contains(dump), "`{dump}` in {text}");
    }
}

#[tokio::test]
async fn an_attempt_that_got_no_answer_is_counted_on_the_final_error() {
    let drops = AtomicUsize::new(0);
    let aws = super::scripted_aws::ScriptedAws::start(move |_, _| {
        if drops.fetch_add(1, Ordering::SeqCst) == 0 {
            super::scripted_aws::Answer::Drop
        } else {
            super::scripted_aws::Answer::Json(
                400,
                r#"{"__type":"ValidationException","message":"Cannot create already existing endpoint \"arn:aws:sagemaker:us-east-1:123456789012:endpoint/fraud\"."}"#.into(),
            )
        }
    })
    .await;
    let clients = aws.clients(3).await;
    let error = describe(&clients).await.expect_err("refused");
    assert_eq!(error.attempts, Some(2));
    assert_eq!(error.unanswered, 1);
    assert_eq!(error.kind, AwsErrorKind::AlreadyExists);
    assert!(error.may_hide_a_create());
}
