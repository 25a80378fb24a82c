//! The `reach` and `graph` commands: ask the reachability engine one question, or draw the
//! networks with the answer's path highlighted.

use crate::cli::{Format, GraphArgs, GraphFormat, ReachArgs};
use crate::commands::{EXIT_FINDINGS, load, write_stdout};
use anyhow::{Result, anyhow, bail};
use sagescan_model::network::{SecurityGroup, Subnet};
use sagescan_model::{Model, Resource, Topology};
use sagescan_reach::{Answer, Destination, Direction, Engine, Verdict, Workload};
use sagescan_report::graph::{self, Highlight};
use std::io::IsTerminal;
use std::process::ExitCode;

pub fn reach(args: ReachArgs) -> Result<ExitCode> {
    let to = Destination::parse(&args.to).map_err(|e| anyhow!("--to {e}"))?;
    let model = load(&args.inputs)?;
    let topology = Topology::new(&model);
    let engine = Engine::new(&model, &topology);
    let direction = if args.ingress {
        Direction::Ingress
    } else {
        Direction::Egress
    };
    let answer = ask(
        &engine,
        &model,
        &args.from,
        &args.security_groups,
        &to,
        direction,
    )?;
    let out = match args.format {
        Format::Json => serde_json::to_string_pretty(&answer)? + "\n",
        Format::Text => sagescan_report::reach::text(
            &model,
            &answer,
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        ),
    };
    write_stdout(out.as_bytes())?;
    Ok(match answer.verdict {
        Verdict::NotReachable => ExitCode::SUCCESS,
        _ => ExitCode::from(EXIT_FINDINGS),
    })
}

/// Resolves `--from` (a workload, or a subnet with `--security-group`) and asks.
fn ask(
    engine: &Engine<'_>,
    model: &Model,
    from: &str,
    sgs: &[String],
    to: &Destination,
    direction: Direction,
) -> Result<Answer> {
    let matches = |address: &str, m: &sagescan_model::Meta| {
        m.address == address || m.aliases.iter().any(|a| a == address)
    };
    let workloads: Vec<Workload> = Workload::all(model)
        .into_iter()
        .filter(|w| matches(from, w.meta(model)))
        .collect();
    match workloads.as_slice() {
        [w] => {
            if !sgs.is_empty() {
                bail!("--security-group applies to a subnet, but {from} is a SageMaker workload");
            }
            let config = w.meta(model).config;
            return Ok(engine.unless_gaps(config, engine.workload(*w, to, direction, false)));
        }
        [_, ..] => bail!(
            "{from} names {} workloads (one per configuration: {}); scan one configuration at a time",
            workloads.len(),
            workloads
                .iter()
                .map(|w| model.configs[w.meta(model).config as usize].name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        [] => {}
    }
    let subnets: Vec<usize> = (0..model.subnets.len())
        .filter(|&i| matches(from, &model.subnets[i].meta))
        .collect();
    let [subnet] = subnets.as_slice() else {
        if subnets.len() > 1 {
            bail!(
                "{from} names {} subnets (one per configuration); scan one configuration at a time",
                subnets.len()
            );
        }
        bail!("--from {from}: no SageMaker workload or subnet has this address");
    };
    let config = model.subnets[*subnet].meta.config;
    let mut groups = Vec::new();
    for g in sgs {
        let p = SecurityGroup::position(model, config, g).ok_or_else(|| {
            anyhow!(
                "--security-group {g}: no security group of {}'s configuration has this address",
                Subnet::KIND
            )
        })?;
        groups.push(p);
    }
    if groups.is_empty() {
        bail!("--from {from} is a subnet: give its interface's groups with --security-group");
    }
    let mut a = engine.unless_gaps(config, engine.interface(*subnet, &groups, to, direction));
    a.from = from.to_string();
    Ok(a)
}

pub fn graph(args: GraphArgs) -> Result<ExitCode> {
    let model = load(&args.inputs)?;
    let topology = Topology::new(&model);
    let highlight = match (&args.from, &args.to) {
        (Some(from), Some(to)) => {
            let to = Destination::parse(to).map_err(|e| anyhow!("--to {e}"))?;
            let engine = Engine::new(&model, &topology);
            let a = ask(&engine, &model, from, &[], &to, Direction::Egress)?;
            Some(Highlight::of_path(
                &a.from,
                &a.path,
                a.verdict == Verdict::Reachable,
                format!("{} → {}: {}", a.from, a.to, a.verdict.as_str()),
            ))
        }
        _ => None,
    };
    let format = match args.format {
        GraphFormat::Dot => graph::GraphFormat::Dot,
        GraphFormat::Mermaid => graph::GraphFormat::Mermaid,
    };
    let out = graph::render(&model, &topology, None, highlight.as_ref(), format);
    write_stdout(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
