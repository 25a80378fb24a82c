//! The one layer every AWS call goes through: the service clients of one account and
//! region, the read-only guard, call counting, bounded concurrency, and the mapping of every
//! failure to a coverage gap.
//!
//! Read-only holds twice. Statically, the service clients are private to this module and
//! reached only through [`Scope::ec2`] and friends, so a test can list every operation the
//! crate calls by reading its source (`tests/read_only.rs`). At run time, [`Guard`] sees
//! each request before it is sent and refuses any operation whose name does not start with
//! `Describe`, `List` or `Get`, so not even a future edit that escapes the static test can
//! change an account.

use crate::pager::{self, Stop};
use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_async::future::pagination_stream::PaginationStream;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use sagescan_model::{ConfigId, CoverageGap, Origin};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// Whether an operation (`DescribeVpcs`, or `describe_vpcs` as the SDK spells its methods)
/// only reads. The whole of sagescan's permission model rests on this prefix test.
pub fn is_read_only(operation: &str) -> bool {
    let op = operation.to_ascii_lowercase();
    ["describe", "list", "get"]
        .iter()
        .any(|prefix| op.starts_with(prefix))
}

/// Counts the HTTP requests sent (every attempt, every page) per operation, and refuses
/// a mutating operation before it leaves the process.
#[derive(Debug, Default)]
pub(crate) struct Guard {
    calls: AtomicU64,
    by_operation: Mutex<BTreeMap<String, u64>>,
}

impl Guard {
    pub(crate) fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    pub(crate) fn by_operation(&self) -> BTreeMap<String, u64> {
        self.by_operation
            .lock()
            .map(|m| m.clone())
            .unwrap_or_default()
    }
}

/// The interceptor the SDK holds: a shared handle on one [`Guard`].
#[derive(Debug, Clone)]
pub(crate) struct GuardHandle(pub(crate) Arc<Guard>);

impl Intercept for GuardHandle {
    fn name(&self) -> &'static str {
        "sagescan-read-only-guard"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(meta) = cfg.load::<Metadata>() else {
            return Err("sagescan: an AWS request without operation metadata was refused".into());
        };
        if !is_read_only(meta.name()) {
            return Err(format!(
                "sagescan is read-only: {}:{} was refused",
                meta.service(),
                meta.name()
            )
            .into());
        }
        let guard = &self.0;
        guard.calls.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut m) = guard.by_operation.lock() {
            *m.entry(format!("{}:{}", meta.service(), meta.name()))
                .or_default() += 1;
        }
        Ok(())
    }
}

/// The clients of one account and region, all built on the one shared HTTP client.
#[derive(Clone, Debug)]
pub(crate) struct Clients {
    ec2: aws_sdk_ec2::Client,
    sagemaker: aws_sdk_sagemaker::Client,
    nfw: aws_sdk_networkfirewall::Client,
    resolver: aws_sdk_route53resolver::Client,
}

impl Clients {
    pub(crate) fn new(config: &aws_config::SdkConfig, guard: &GuardHandle) -> Clients {
        Clients {
            ec2: aws_sdk_ec2::Client::from_conf(
                aws_sdk_ec2::config::Builder::from(config)
                    .interceptor(guard.clone())
                    .build(),
            ),
            sagemaker: aws_sdk_sagemaker::Client::from_conf(
                aws_sdk_sagemaker::config::Builder::from(config)
                    .interceptor(guard.clone())
                    .build(),
            ),
            nfw: aws_sdk_networkfirewall::Client::from_conf(
                aws_sdk_networkfirewall::config::Builder::from(config)
                    .interceptor(guard.clone())
                    .build(),
            ),
            resolver: aws_sdk_route53resolver::Client::from_conf(
                aws_sdk_route53resolver::config::Builder::from(config)
                    .interceptor(guard.clone())
                    .build(),
            ),
        }
    }
}

/// Account-level clients (identity, Organizations), used before any region is scanned.
pub(crate) fn sts(config: &aws_config::SdkConfig, guard: &GuardHandle) -> aws_sdk_sts::Client {
    aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(config)
            .interceptor(guard.clone())
            .build(),
    )
}

pub(crate) fn organizations(
    config: &aws_config::SdkConfig,
    guard: &GuardHandle,
) -> aws_sdk_organizations::Client {
    aws_sdk_organizations::Client::from_conf(
        aws_sdk_organizations::config::Builder::from(config)
            .interceptor(guard.clone())
            .build(),
    )
}

/// What bounds the collection besides each call's own deadline: the pages of one listing
/// and the time of the whole scan.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bounds {
    /// Pages read from one listing before it is declared endless ([`pager::MAX_PAGES`]).
    pub(crate) max_pages: usize,
    /// When the scan's time budget runs out, and how long that budget was (for messages).
    pub(crate) deadline: Option<(Instant, Duration)>,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            max_pages: pager::MAX_PAGES,
            deadline: None,
        }
    }
}

/// One account and region being collected: its clients, its configuration in the model,
/// the calls it may have in flight, its bounds and the gaps it found.
#[derive(Debug)]
pub(crate) struct Scope {
    pub(crate) account: String,
    pub(crate) region: String,
    pub(crate) partition: String,
    pub(crate) config: ConfigId,
    clients: Clients,
    permits: Semaphore,
    bounds: Bounds,
    gaps: Mutex<Vec<CoverageGap>>,
}

impl Scope {
    pub(crate) fn new(
        account: String,
        region: String,
        partition: String,
        config: ConfigId,
        clients: Clients,
        concurrency: usize,
        bounds: Bounds,
    ) -> Scope {
        Scope {
            account,
            region,
            partition,
            config,
            clients,
            permits: Semaphore::new(concurrency.max(1)),
            bounds,
            gaps: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn ec2(&self) -> &aws_sdk_ec2::Client {
        &self.clients.ec2
    }

    pub(crate) fn sagemaker(&self) -> &aws_sdk_sagemaker::Client {
        &self.clients.sagemaker
    }

    pub(crate) fn nfw(&self) -> &aws_sdk_networkfirewall::Client {
        &self.clients.nfw
    }

    pub(crate) fn resolver(&self) -> &aws_sdk_route53resolver::Client {
        &self.clients.resolver
    }

    /// Where a value read by `operation` came from.
    pub(crate) fn origin(&self, service: &str, operation: &str) -> Origin {
        Origin::Api {
            service: service.into(),
            operation: operation.into(),
            region: self.region.clone(),
            account: self.account.clone(),
        }
    }

    /// The ARN of a resource of this account and region.
    pub(crate) fn arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:{}:{service}:{}:{}:{resource}",
            self.partition, self.region, self.account
        )
    }

    /// Runs one call with a permit; a failure becomes a gap of this scope and `None`, so the
    /// caller simply has nothing to map.
    pub(crate) async fn call<T, E, R>(
        &self,
        service: &str,
        operation: &str,
        request: impl Future<Output = Result<T, SdkError<E, R>>>,
    ) -> Option<T>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        match self.bounded(service, operation, request).await? {
            Ok(v) => Some(v),
            Err(e) => {
                self.gap(classify(&e), service, operation, describe(&e));
                None
            }
        }
    }

    /// Reads a whole listing (`….into_paginator().send()`) with one permit, bounded by
    /// [`pager::read_all`]: a failed page, a loop or too many pages becomes a gap of this
    /// scope naming the listing, and `None`, never a part of the listing.
    pub(crate) async fn list<P, I, E, R>(
        &self,
        service: &str,
        operation: &str,
        pages: PaginationStream<Result<P, SdkError<E, R>>>,
        next_token: impl Fn(&P) -> Option<&str>,
        items: impl Fn(&P) -> &[I],
    ) -> Option<Vec<I>>
    where
        I: Clone + PartialEq,
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        let read = pager::read_all(pages, self.bounds.max_pages, next_token, items);
        match self.bounded(service, operation, read).await? {
            Ok(v) => Some(v),
            Err(Stop::Failed(e)) => {
                self.gap(classify(&e), service, operation, describe(&e));
                None
            }
            Err(stop) => {
                self.gap(stop.kind(), service, operation, stop.detail());
                None
            }
        }
    }

    /// Runs `work` with a permit, unless the scan's time budget runs out first (waiting
    /// for the permit included): then the call is a `deadline` gap and `None`. Past the
    /// deadline every call of the scope stops at once, so a scan over budget ends promptly
    /// with a gap per operation it did not finish.
    async fn bounded<T>(
        &self,
        service: &str,
        operation: &str,
        work: impl Future<Output = T>,
    ) -> Option<T> {
        let run = async {
            // The semaphore is never closed, so acquiring cannot fail; if it ever did, running
            // without a permit is still correct, only less polite.
            let _permit = self.permits.acquire().await.ok();
            work.await
        };
        let Some((deadline, budget)) = self.bounds.deadline else {
            return Some(run.await);
        };
        match tokio::time::timeout_at(deadline, run).await {
            Ok(v) => Some(v),
            Err(_) => {
                self.deadline_gap(service, operation, budget);
                None
            }
        }
    }

    /// One `deadline` gap per operation: the hundreds of describes a listing queues would
    /// otherwise each say the same.
    fn deadline_gap(&self, service: &str, operation: &str, budget: Duration) {
        let origin = self.origin(service, operation);
        let already = self.gaps.lock().is_ok_and(|gaps| {
            gaps.iter()
                .any(|g| g.kind == "deadline" && g.origin == origin)
        });
        if !already {
            self.gap(
                "deadline",
                service,
                operation,
                format!(
                    "the scan's time budget ({} s) ran out before this call finished; what it would have read is missing",
                    budget.as_secs()
                ),
            );
        }
    }

    /// Records a gap of this scope.
    pub(crate) fn gap(&self, kind: &str, service: &str, operation: &str, detail: String) {
        let gap = CoverageGap {
            config: Some(self.config),
            kind: kind.into(),
            message: format!(
                "{service}:{operation} in {}/{}: {detail}",
                self.account, self.region
            ),
            origin: self.origin(service, operation),
        };
        if let Ok(mut gaps) = self.gaps.lock() {
            gaps.push(gap);
        }
    }

    pub(crate) fn take_gaps(&self) -> Vec<CoverageGap> {
        self.gaps
            .lock()
            .map(|mut g| std::mem::take(&mut *g))
            .unwrap_or_default()
    }
}

/// The gap kind of a failed call. Codes are the services' documented error codes; EC2
/// spells access denial `UnauthorizedOperation`, the JSON services `AccessDeniedException`.
pub(crate) fn classify<E, R>(e: &SdkError<E, R>) -> &'static str
where
    E: ProvideErrorMetadata,
{
    match e {
        SdkError::TimeoutError(_) => return "timeout",
        SdkError::DispatchFailure(d) if d.is_timeout() => return "timeout",
        SdkError::DispatchFailure(_) => return "unreachable",
        _ => {}
    }
    let code = e.code().unwrap_or_default();
    match code {
        c if c.starts_with("AccessDenied")
            || c == "UnauthorizedOperation"
            || c == "AuthorizationError"
            || c == "UnrecognizedClientException"
            || c == "InvalidClientTokenId"
            || c == "ExpiredToken" =>
        {
            "access-denied"
        }
        c if c.starts_with("Throttl")
            || c == "RequestLimitExceeded"
            || c == "TooManyRequestsException"
            || c == "RequestThrottledException"
            || c == "SlowDown" =>
        {
            "throttled"
        }
        // A region the account has not opted into answers with these.
        "OptInRequired" | "AuthFailure" | "InvalidRegion" => "region-disabled",
        // Listed, then deleted before it could be described.
        c if c.contains("NotFound") || c == "ValidationException" => "not-found",
        "InvalidAction" | "NotImplemented" | "UnknownOperationException" => "unsupported",
        _ => "api-error",
    }
}

/// A one-line, user-facing account of a failed call: the service's code and message, or
/// the transport failure with its cause.
pub(crate) fn describe<E, R>(e: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match (e.code(), e.message()) {
        (Some(code), Some(msg)) => format!("{code}: {msg}"),
        (Some(code), None) => code.to_string(),
        _ => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                text.push_str(": ");
                text.push_str(&s.to_string());
                source = s.source();
            }
            text
        }
    }
}

/// Runs `futures` concurrently on the current task and returns their outputs in order.
/// The describes of one listing borrow their scope, so they cannot be spawned; the scope's
/// semaphore, not this function, bounds how many calls are in flight. Every wake polls the
/// unfinished futures, which is fine for the hundreds a listing yields.
pub(crate) async fn join_all<F: Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(v) => *output = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::operation::describe_vpcs::DescribeVpcsError;
    use aws_smithy_async::future::pagination_stream::fn_stream::FnStream;
    use aws_smithy_runtime_api::http::Response;

    type Failure = SdkError<DescribeVpcsError, Response>;

    /// A scope of account 111122223333 in us-east-1 whose clients are never called.
    fn scope(bounds: Bounds) -> Scope {
        let config = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .build();
        let guard = GuardHandle(Arc::new(Guard::default()));
        Scope::new(
            "111122223333".into(),
            "us-east-1".into(),
            "aws".into(),
            0,
            Clients::new(&config, &guard),
            2,
            bounds,
        )
    }

    /// A fake page: a name and the token to the next page.
    #[derive(Clone, Debug, PartialEq)]
    struct Page {
        names: Vec<String>,
        token: Option<String>,
    }

    /// Pages that never end: the same names under a fresh token each time (`same`), or
    /// fresh names and tokens.
    fn endless(same: bool) -> PaginationStream<Result<Page, Failure>> {
        PaginationStream::new(FnStream::new(move |tx| {
            Box::pin(async move {
                for n in 0u64.. {
                    let names = vec![if same { "nb".into() } else { format!("nb-{n}") }];
                    let page = Page {
                        names,
                        token: Some(format!("loop-{n}")),
                    };
                    if tx.send(Ok(page)).await.is_err() {
                        return;
                    }
                }
            })
        }))
    }

    async fn list(
        scope: &Scope,
        pages: PaginationStream<Result<Page, Failure>>,
    ) -> Option<Vec<String>> {
        scope
            .list(
                "sagemaker",
                "ListNotebookInstances",
                pages,
                |p| p.token.as_deref(),
                |p| p.names.as_slice(),
            )
            .await
    }

    #[tokio::test]
    async fn an_endless_listing_is_a_gap_naming_the_listing_and_its_region() {
        let scope = scope(Bounds::default());
        assert_eq!(list(&scope, endless(true)).await, None);
        let gaps = scope.take_gaps();
        assert_eq!(gaps.len(), 1, "{gaps:?}");
        assert_eq!(gaps[0].kind, "pagination-loop");
        assert_eq!(
            gaps[0].message,
            "sagemaker:ListNotebookInstances in 111122223333/us-east-1: the pagination does not \
             end: the same page came back under a new NextToken after 2 pages; the listing is \
             incomplete"
        );
        assert_eq!(
            gaps[0].origin,
            scope.origin("sagemaker", "ListNotebookInstances")
        );

        let scope = super::tests::scope(Bounds {
            max_pages: 30,
            deadline: None,
        });
        assert_eq!(list(&scope, endless(false)).await, None);
        let gaps = scope.take_gaps();
        assert_eq!(gaps.len(), 1, "{gaps:?}");
        assert_eq!(gaps[0].kind, "pagination-limit");
        assert!(
            gaps[0].message.contains("after 30 pages"),
            "{}",
            gaps[0].message
        );
    }

    #[tokio::test]
    async fn past_the_scans_deadline_calls_are_one_gap_per_operation() {
        // A budget already spent: calls that would never finish stop at once.
        let scope = scope(Bounds {
            max_pages: pager::MAX_PAGES,
            deadline: Some((Instant::now(), Duration::from_secs(120))),
        });
        for _ in 0..3 {
            let never = std::future::pending::<Result<(), Failure>>();
            assert_eq!(scope.call("ec2", "DescribeVpcs", never).await, None);
        }
        assert_eq!(list(&scope, endless(false)).await, None);
        let gaps = scope.take_gaps();
        let seen: Vec<(&str, &str)> = gaps
            .iter()
            .map(|g| (g.kind.as_str(), g.message.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (
                    "deadline",
                    "ec2:DescribeVpcs in 111122223333/us-east-1: the scan's time budget (120 s) \
                     ran out before this call finished; what it would have read is missing"
                ),
                (
                    "deadline",
                    "sagemaker:ListNotebookInstances in 111122223333/us-east-1: the scan's time \
                     budget (120 s) ran out before this call finished; what it would have read \
                     is missing"
                ),
            ]
        );
    }

    #[tokio::test]
    async fn within_the_deadline_calls_run() {
        let scope = scope(Bounds {
            max_pages: pager::MAX_PAGES,
            deadline: Some((
                Instant::now() + Duration::from_secs(3_600),
                Duration::from_secs(3_600),
            )),
        });
        let answer = std::future::ready(Ok::<u32, Failure>(7));
        assert_eq!(scope.call("ec2", "DescribeVpcs", answer).await, Some(7));
        assert!(scope.take_gaps().is_empty());
    }

    #[test]
    fn only_reads_are_allowed() {
        for op in [
            "DescribeVpcs",
            "ListModels",
            "GetManagedPrefixListEntries",
            "describe_notebook_instance",
            "list_accounts",
        ] {
            assert!(is_read_only(op), "{op}");
        }
        for op in [
            "CreateVpc",
            "DeleteNotebookInstance",
            "AssumeRole",
            "ModifyVpcAttribute",
            "PutResourcePolicy",
            "StartNotebookInstance",
            "UpdateDomain",
            "TagResource",
        ] {
            assert!(!is_read_only(op), "{op}");
        }
    }
}
