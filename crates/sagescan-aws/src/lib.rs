//! Live AWS collection: reads SageMaker, EC2 networking, Network Firewall and Route 53
//! Resolver DNS Firewall from one or many accounts and regions, read-only, into the same
//! normalized model the IaC loaders build, so every check runs unchanged on a live account.
//!
//! One configuration per account and region (references never cross either). Accounts are
//! the caller's, or with an organization role every active account of the organization
//! (or the ones named), reached by `sts:AssumeRole`. Regions are the ones named or every
//! region enabled for the account. Scopes run in parallel on one shared HTTP client with
//! adaptive retries; within a scope, calls in flight are bounded. Every call that fails
//! (denied, throttled past the retries, timed out, region disabled, deleted between List
//! and Describe, not supported by the endpoint) becomes a coverage gap naming service,
//! operation, account and region, which makes the checks of that scope inconclusive
//! instead of passing.

mod api;
mod dns;
mod doc;
mod ec2;
mod firewall;
mod pager;
mod sagemaker;

pub use api::is_read_only;
pub use pager::MAX_PAGES;

use api::{Bounds, Clients, Guard, GuardHandle, Scope};
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_ec2::error::SdkError;
use sagescan_model::{ConfigId, CoverageGap, Model, Origin};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// What to collect and how hard to push.
#[derive(Clone, Debug)]
pub struct AwsOptions {
    /// `--profile`: a named profile of the shared config files; otherwise the standard
    /// chain (environment, profile, SSO, process, web identity, container, IMDS).
    pub profile: Option<String>,
    /// `--regions r1,r2`; `None` = every region enabled for each account.
    pub regions: Option<Vec<String>>,
    /// `--org-role NAME`: assume `arn:…:iam::ACCOUNT:role/NAME` in each account.
    pub org_role: Option<String>,
    /// `--accounts`: with an org role, these accounts instead of the organization's list.
    pub accounts: Vec<String>,
    /// `--endpoint-url`: one endpoint for every service (an emulator). The SDK's own
    /// `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>` variables are honoured as well.
    pub endpoint_url: Option<String>,
    /// Calls in flight per account and region.
    pub concurrency: usize,
    /// Accounts × regions collected at once.
    pub parallel_scopes: usize,
    /// Training and processing jobs created in the last this many days.
    pub job_days: u32,
    /// Attempts per call, retries included (adaptive retry mode).
    pub max_attempts: u32,
    /// Deadline of one call, retries included.
    pub operation_timeout: Duration,
    /// Pages read from one listing before it is given up as endless (a
    /// `pagination-limit` gap); see [`MAX_PAGES`].
    pub max_pages: usize,
    /// The time budget of the whole collection, from its start: a call still running or
    /// waiting when it runs out is a `deadline` gap, and the collection ends with what it
    /// has. `None`: no budget beyond each call's `operation_timeout` and each listing's
    /// `max_pages`.
    pub deadline: Option<Duration>,
    /// A static access key pair instead of the credential chain: for emulators and for
    /// programs embedding the collector. The command line always uses the chain.
    pub static_credentials: Option<(String, String)>,
}

impl Default for AwsOptions {
    fn default() -> Self {
        AwsOptions {
            profile: None,
            regions: None,
            org_role: None,
            accounts: Vec::new(),
            endpoint_url: None,
            concurrency: 8,
            parallel_scopes: 8,
            job_days: 30,
            max_attempts: 5,
            operation_timeout: Duration::from_secs(60),
            max_pages: MAX_PAGES,
            // An hour: a single account's scan takes seconds to a few minutes, and an
            // organization of hundreds of accounts × every region fits with room to spare,
            // while a scan that runs away is still stopped within a CI job's usual limit.
            deadline: Some(Duration::from_secs(3_600)),
            static_credentials: None,
        }
    }
}

/// The collected model and what it cost.
#[derive(Debug)]
pub struct Collection {
    /// Finished: references resolve.
    pub model: Model,
    /// HTTP requests sent (every page and every retry).
    pub calls: u64,
    /// The same, per `service:Operation`.
    pub calls_by_operation: BTreeMap<String, u64>,
}

/// Services collected per account and region: the progress unit is one of them.
pub const SERVICES: &[&str] = &["ec2", "sagemaker", "network-firewall", "route53resolver"];

/// Told of progress: `(done, total)` in units of account × region × service.
pub type Progress = Arc<dyn Fn(usize, usize) + Send + Sync>;

/// Failures that leave nothing to scan. Anything narrower is a coverage gap.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    #[error("no AWS region is configured: set AWS_REGION, a profile's region, or pass --regions")]
    NoRegion,
    #[error("cannot identify the AWS caller (sts:GetCallerIdentity): {0}")]
    Identity(String),
    #[error("cannot list the organization's accounts (organizations:ListAccounts): {0}")]
    Organization(String),
    #[error("--accounts needs --org-role: other accounts are reached by assuming that role")]
    AccountsWithoutRole,
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
}

/// [`collect`] on a runtime of its own, for callers that are not async.
pub fn collect_blocking(
    options: &AwsOptions,
    progress: Option<Progress>,
) -> Result<Collection, AwsError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(AwsError::Runtime)?;
    runtime.block_on(collect(options, progress))
}

/// Collects every account and region `options` name into one finished model.
pub async fn collect(
    options: &AwsOptions,
    progress: Option<Progress>,
) -> Result<Collection, AwsError> {
    let guard = GuardHandle(Arc::new(Guard::default()));
    let bounds = Bounds {
        max_pages: options.max_pages.max(1),
        deadline: options
            .deadline
            .map(|budget| (tokio::time::Instant::now() + budget, budget)),
    };
    let base = base_config(options).await?;
    let me = identity(&base, &guard).await?;
    let mut model = Model::default();

    // Accounts to scan, each with the configuration that reaches it.
    let mut accounts: Vec<(String, SdkConfig)> = Vec::new();
    match &options.org_role {
        None if options.accounts.iter().any(|a| *a != me.account) => {
            return Err(AwsError::AccountsWithoutRole);
        }
        None => accounts.push((me.account.clone(), base.clone())),
        Some(role) => {
            let ids = if options.accounts.is_empty() {
                organization_accounts(&base, &guard, bounds.max_pages).await?
            } else {
                options.accounts.clone()
            };
            for id in ids {
                if id == me.account {
                    accounts.push((id, base.clone()));
                    continue;
                }
                let arn = format!("arn:{}:iam::{id}:role/{role}", me.partition);
                match assume(&base, &arn, &guard).await {
                    Ok(config) => accounts.push((id, config)),
                    Err(detail) => {
                        let config = model.add_config(id.clone(), "aws");
                        model.gaps.push(CoverageGap {
                            config: Some(config),
                            kind: "assume-role-failed".into(),
                            message: format!("sts:AssumeRole {arn}: {detail}"),
                            origin: Origin::Api {
                                service: "sts".into(),
                                operation: "AssumeRole".into(),
                                region: base.region().map(|r| r.to_string()).unwrap_or_default(),
                                account: id.clone(),
                            },
                        });
                    }
                }
            }
        }
    }

    // Scopes: one configuration each, registered in a stable order before any runs.
    let mut scopes = Vec::new();
    for (account, config) in &accounts {
        let regions = match &options.regions {
            Some(r) => r.clone(),
            None => match enabled_regions(config, &guard).await {
                Ok(r) => r,
                Err(detail) => {
                    let id = model.add_config(account.clone(), "aws");
                    model.gaps.push(CoverageGap {
                        config: Some(id),
                        kind: "regions-unknown".into(),
                        message: format!("ec2:DescribeRegions in {account}: {detail}"),
                        origin: Origin::Api {
                            service: "ec2".into(),
                            operation: "DescribeRegions".into(),
                            region: config.region().map(|r| r.to_string()).unwrap_or_default(),
                            account: account.clone(),
                        },
                    });
                    continue;
                }
            },
        };
        for region in regions {
            let id = model.add_config(format!("{account}/{region}"), "aws");
            scopes.push((id, account.clone(), region, config.clone()));
        }
    }

    let total = scopes.len() * SERVICES.len();
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let tick = {
        let progress = progress.clone();
        let done = done.clone();
        move || {
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if let Some(p) = &progress {
                p(n, total);
            }
        }
    };
    if let Some(p) = &progress {
        p(0, total);
    }
    let permits = Arc::new(Semaphore::new(options.parallel_scopes.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (id, account, region, config) in scopes {
        let permits = permits.clone();
        let guard = guard.clone();
        let tick = tick.clone();
        let partition = me.partition.clone();
        let options = options.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.ok();
            let config = config
                .to_builder()
                .region(Region::new(region.clone()))
                .build();
            let scope = Scope::new(
                account,
                region,
                partition,
                id,
                Clients::new(&config, &guard),
                options.concurrency,
                bounds,
            );
            collect_scope(&scope, &options, &tick).await
        });
    }
    let mut parts = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        // A panicking scope task is a bug; surfacing it beats a silently partial model.
        match joined {
            Ok(part) => parts.push(part),
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }
    // Parts finish in any order; configuration order keeps the model stable run to run.
    parts.sort_by_key(|(id, _)| *id);
    for (_, part) in parts {
        model.append(part);
    }
    model.finish();
    Ok(Collection {
        model,
        calls: guard.0.calls(),
        calls_by_operation: guard.0.by_operation(),
    })
}

/// Collects the services of one scope concurrently.
async fn collect_scope(
    scope: &Scope,
    options: &AwsOptions,
    tick: &(impl Fn() + Sync),
) -> (ConfigId, Model) {
    let (mut network, mut sm, mut fw, mut dns) = (
        Model::default(),
        Model::default(),
        Model::default(),
        Model::default(),
    );
    tokio::join!(
        async {
            ec2::collect(scope, &mut network).await;
            tick();
        },
        async {
            sagemaker::collect(scope, options.job_days, &mut sm).await;
            tick();
        },
        async {
            firewall::collect(scope, &mut fw).await;
            tick();
        },
        async {
            dns::collect(scope, &mut dns).await;
            tick();
        },
    );
    network.append(sm);
    network.append(fw);
    network.append(dns);
    network.gaps.extend(scope.take_gaps());
    (scope.config, network)
}

/// The shared configuration: credentials chain, one HTTP client, adaptive retries,
/// per-call deadline, optional endpoint override.
async fn base_config(options: &AwsOptions) -> Result<SdkConfig, AwsError> {
    // One HTTP client (hyper 1, rustls with ring) shared by every client of every scope,
    // so connections are pooled across services, accounts and regions.
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        .retry_config(RetryConfig::adaptive().with_max_attempts(options.max_attempts.max(1)))
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(options.operation_timeout)
                .build(),
        );
    if let Some(p) = &options.profile {
        loader = loader.profile_name(p);
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some((key, secret)) = &options.static_credentials {
        loader = loader.credentials_provider(aws_sdk_sts::config::Credentials::new(
            key,
            secret,
            None,
            None,
            "sagescan-static",
        ));
    }
    let mut config = loader.load().await;
    if config.region().is_none() {
        // No configured region: discovery calls go to the first region asked for.
        let first = options
            .regions
            .as_ref()
            .and_then(|r| r.first())
            .ok_or(AwsError::NoRegion)?;
        config = config
            .to_builder()
            .region(Region::new(first.clone()))
            .build();
    }
    Ok(config)
}

struct Identity {
    account: String,
    partition: String,
}

async fn identity(config: &SdkConfig, guard: &GuardHandle) -> Result<Identity, AwsError> {
    let out = api::sts(config, guard)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| AwsError::Identity(error_text(&e)))?;
    let account = out
        .account()
        .ok_or_else(|| AwsError::Identity("the response names no account".into()))?
        .to_string();
    // arn:PARTITION:sts::ACCOUNT:assumed-role/…
    let partition = out
        .arn()
        .and_then(|a| a.split(':').nth(1))
        .unwrap_or("aws")
        .to_string();
    Ok(Identity { account, partition })
}

async fn organization_accounts(
    config: &SdkConfig,
    guard: &GuardHandle,
    max_pages: usize,
) -> Result<Vec<String>, AwsError> {
    let accounts = pager::read_all(
        api::organizations(config, guard)
            .list_accounts()
            .into_paginator()
            .send(),
        max_pages,
        |p| p.next_token(),
        |p| p.accounts(),
    )
    .await
    .map_err(|stop| {
        AwsError::Organization(match stop {
            pager::Stop::Failed(e) => error_text(&e),
            stop => stop.detail(),
        })
    })?;
    let mut ids: Vec<String> = accounts
        .iter()
        .filter(|a| {
            a.status()
                .is_none_or(|s| *s == aws_sdk_organizations::types::AccountStatus::Active)
        })
        .filter_map(|a| a.id().map(str::to_string))
        .collect();
    ids.sort();
    Ok(ids)
}

/// A configuration whose credentials come from assuming `role_arn`, checked by one
/// `GetCallerIdentity` so that a role that cannot be assumed is one gap, not hundreds.
async fn assume(
    base: &SdkConfig,
    role_arn: &str,
    guard: &GuardHandle,
) -> Result<SdkConfig, String> {
    let provider = aws_config::sts::AssumeRoleProvider::builder(role_arn)
        .session_name("sagescan")
        .configure(base)
        .build()
        .await;
    let config = base
        .to_builder()
        .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(
            provider,
        ))
        .build();
    api::sts(&config, guard)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| error_text(&e))?;
    Ok(config)
}

async fn enabled_regions(config: &SdkConfig, guard: &GuardHandle) -> Result<Vec<String>, String> {
    let clients = Clients::new(config, guard);
    let scope = Scope::new(
        String::new(),
        String::new(),
        String::new(),
        0,
        clients,
        1,
        Bounds::default(),
    );
    // DescribeRegions without AllRegions lists exactly the regions enabled for the account.
    let out = scope
        .ec2()
        .describe_regions()
        .send()
        .await
        .map_err(|e| error_text(&e))?;
    let mut regions: Vec<String> = out
        .regions()
        .iter()
        .filter_map(|r| r.region_name().map(str::to_string))
        .collect();
    regions.sort();
    Ok(regions)
}

fn error_text<E, R>(e: &SdkError<E, R>) -> String
where
    E: aws_sdk_ec2::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    api::describe(e)
}
