//! One shutdown signal for every listener of a process: Ctrl-C or, on Unix, SIGTERM (what `docker stop`,
//! systemd, Kubernetes and `cargo xtask dev` send). Each listener's [`serve`](crate::serve()) waits on its own
//! [`Shutdown::wait`]; they all stop accepting at once and drain together.

use std::future::Future;

use tokio::sync::watch;

/// Completes every [`wait`](Shutdown::wait) when the process is told to stop. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Shutdown {
    stopping: watch::Receiver<bool>,
}

/// Fires a [`Shutdown`] made by [`Shutdown::manual`] (tests, or a server stopping itself).
#[derive(Debug)]
pub struct ShutdownTrigger(watch::Sender<bool>);

impl ShutdownTrigger {
    pub fn trigger(&self) {
        self.0.send_replace(true);
    }
}

impl Shutdown {
    /// Listens for Ctrl-C and SIGTERM from now on (call it inside the Tokio runtime, once per process).
    pub fn on_signals() -> Shutdown {
        let (trigger, shutdown) = Shutdown::manual();
        tokio::spawn(async move {
            signal().await;
            tracing::info!("shutdown signal received; finishing in-flight requests");
            trigger.trigger();
        });
        shutdown
    }

    /// A shutdown fired only by the returned trigger. Dropping the trigger without firing it never shuts down.
    pub fn manual() -> (ShutdownTrigger, Shutdown) {
        let (sender, stopping) = watch::channel(false);
        (ShutdownTrigger(sender), Shutdown { stopping })
    }

    /// Completes once shutdown has begun (at once if it already has).
    pub fn wait(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut stopping = self.stopping.clone();
        async move {
            if stopping.wait_for(|&stopping| stopping).await.is_err() {
                // The trigger is gone without firing: nothing can stop us any more.
                std::future::pending::<()>().await;
            }
        }
    }
}

async fn signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn every_waiter_completes_once_triggered_and_a_dropped_trigger_never_fires() {
        let (trigger, shutdown) = Shutdown::manual();
        let (first, second) = (tokio::spawn(shutdown.wait()), tokio::spawn(shutdown.clone().wait()));
        tokio::task::yield_now().await;
        assert!(!first.is_finished());
        trigger.trigger();
        first.await.unwrap();
        second.await.unwrap();
        shutdown.wait().await; // already stopping: at once

        let (trigger, shutdown) = Shutdown::manual();
        drop(trigger);
        assert!(tokio::time::timeout(Duration::from_millis(50), shutdown.wait()).await.is_err());
    }
}
