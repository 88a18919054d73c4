//! `pulumi-resource-sagemaker-deployment`: started by the Pulumi engine.
//!
//! Binds a loopback port, prints it as the first and only line on stdout,
//! and serves the provider until the engine closes it. The engine's address
//! is the last argument; logs go to stderr.
//!
//! `--print-deployer-policy` prints the IAM policy the identity that runs
//! `pulumi up` needs, and exits; `--version` prints the version (the one
//! GetPluginInfo and GetSchema report), and exits. With `SAGEMAKER_DEPLOYMENT_USAGE_FILE` set,
//! the CPU time and peak memory used are appended to that file at exit
//! (see `usage`).

use std::io::Write;

use tokio::net::TcpListener;

/// The flag that prints the deployer policy instead of serving.
const PRINT_DEPLOYER_POLICY: &str = "--print-deployer-policy";
/// The flag that prints the provider's version instead of serving.
const PRINT_VERSION: &str = "--version";

fn main() -> std::process::ExitCode {
    // The engine passes flags of its own (e.g. `--logtostderr`): only this
    // exact one changes what the binary does.
    if std::env::args()
        .skip(1)
        .any(|arg| arg == PRINT_DEPLOYER_POLICY)
    {
        return print_deployer_policy();
    }
    if std::env::args().skip(1).any(|arg| arg == PRINT_VERSION) {
        let mut stdout = std::io::stdout().lock();
        return match writeln!(stdout, "{}", sagemaker_deployment_provider::VERSION) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(_) => std::process::ExitCode::FAILURE,
        };
    }
    sagemaker_deployment_provider::aws::load_root_certificates_early();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(serve())
}

async fn serve() -> std::process::ExitCode {
    let engine_address = std::env::args().skip(1).rfind(|arg| !arg.starts_with('-'));
    let listener = match TcpListener::bind(("127.0.0.1", 0)).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("error: cannot bind a loopback port: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{port}")
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return std::process::ExitCode::FAILURE;
    }
    drop(stdout);
    init_logging();

    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let served = sagemaker_deployment_provider::run(listener, engine_address, shutdown).await;
    sagemaker_deployment_provider::usage::report_at_exit();
    match served {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: the provider stopped: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Prints the deployer policy document as JSON on stdout.
fn print_deployer_policy() -> std::process::ExitCode {
    match sagemaker_deployment_provider::aws::permissions::deployer_policy() {
        Ok(policy) => {
            let mut stdout = std::io::stdout().lock();
            match writeln!(stdout, "{}", policy.to_pretty_json()) {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("error: cannot print the deployer policy: {error}");
                    std::process::ExitCode::FAILURE
                }
            }
        }
        Err(error) => {
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Logs to stderr, filtered by `RUST_LOG` (default: warnings).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
}
