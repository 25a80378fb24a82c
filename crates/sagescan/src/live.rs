//! `--aws`: the bridge from the command line to the live collector, with a progress line
//! on stderr (regions × services) while it runs.

use crate::cli::LiveArgs;
use anyhow::Result;
use sagescan_model::Model;

#[cfg(feature = "aws")]
pub(crate) fn collect(live: &LiveArgs) -> Result<Model> {
    use std::io::IsTerminal as _;
    use std::sync::Arc;

    let regions = match live.regions.as_slice() {
        [] => None,
        [all] if all == "all" => None,
        list => Some(list.to_vec()),
    };
    let options = sagescan_aws::AwsOptions {
        profile: live.profile.clone(),
        regions,
        org_role: live.org_role.clone(),
        accounts: live.accounts.clone(),
        endpoint_url: live.endpoint_url.clone(),
        concurrency: live.concurrency,
        job_days: live.job_days,
        max_pages: live.max_pages,
        deadline: Some(std::time::Duration::from_secs(live.aws_deadline)),
        ..Default::default()
    };
    // A live bar only on a terminal: redirected stderr (CI logs) gets the summary line.
    let progress: Option<sagescan_aws::Progress> = std::io::stderr().is_terminal().then(|| {
        Arc::new(|done: usize, total: usize| {
            eprint!("\rcollecting AWS: {done}/{total} region × service");
        }) as sagescan_aws::Progress
    });
    let started = std::time::Instant::now();
    let collection = sagescan_aws::collect_blocking(&options, progress)?;
    let model = collection.model;
    let gaps = model.gaps.len();
    eprintln!(
        "{}collected {} resources from {} account/region scopes: {} API calls, {} coverage gaps, {:.1} s",
        if std::io::stderr().is_terminal() {
            "\r"
        } else {
            ""
        },
        model.all_meta().count(),
        model.configs.len(),
        collection.calls,
        gaps,
        started.elapsed().as_secs_f64()
    );
    Ok(model)
}

#[cfg(not(feature = "aws"))]
pub(crate) fn collect(_live: &LiveArgs) -> Result<Model> {
    anyhow::bail!("this sagescan was built without live AWS support (cargo feature `aws`)")
}
