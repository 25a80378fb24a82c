//! The network graph as inline SVG, for the HTML report (which may fetch nothing, so it
//! cannot run Graphviz or Mermaid in the page).
//!
//! The layout is deliberately simple and deterministic: traffic flows left to right in
//! fixed columns by tier (workloads → subnets → route tables → NAT gateways, firewall and
//! VPC endpoints → internet gateways and external targets → the internet), and each VPC is
//! a horizontal band, so a path reads left to right the way `reach` prints it. Within a
//! column nodes keep the builder's order (availability zone, then model order). Edges are
//! curves from the right side of one node to the left side of the next; highlighted path
//! edges are drawn last, thick, in the path's colour. Node text is cut to fit its box; the
//! full text is the node's `<title>` (a tooltip). All text is XML-escaped.

use super::{Cluster, EdgeKind, Graph, Highlight, Mark, Shape};
use crate::html::escape;
use sagescan_model::ConfigId;
use std::collections::BTreeMap;
use std::fmt::Write as _;

const COLUMNS: usize = 6;
const NODE_W: u32 = 190;
const NODE_H: u32 = 46;
const COL_GAP: u32 = 60;
const ROW_GAP: u32 = 14;
const BAND_PAD: u32 = 26;
/// Characters of a node line that fit in [`NODE_W`] at the font size used.
const LINE_CHARS: usize = 30;

fn column(shape: Shape) -> usize {
    match shape {
        Shape::Workload => 0,
        Shape::Subnet => 1,
        Shape::RouteTable => 2,
        Shape::Gateway | Shape::Firewall | Shape::Endpoint => 3,
        Shape::InternetGateway | Shape::External => 4,
        Shape::Internet => 5,
    }
}

fn cut(s: &str) -> String {
    if s.chars().count() <= LINE_CHARS {
        s.to_string()
    } else {
        let head: String = s.chars().take(LINE_CHARS - 1).collect();
        format!("{head}…")
    }
}

/// One band: a VPC's nodes, or the nodes of the configuration outside every VPC.
struct Band {
    label: String,
    nodes: Vec<usize>,
}

fn all(c: &Cluster, out: &mut Vec<usize>) {
    out.extend(&c.nodes);
    for child in &c.children {
        all(child, out);
    }
}

fn bands(config: &Cluster) -> Vec<Band> {
    let mut out = Vec::new();
    for vpc in &config.children {
        let mut nodes = Vec::new();
        all(vpc, &mut nodes);
        out.push(Band {
            label: vpc.lines.join("  "),
            nodes,
        });
    }
    if !config.nodes.is_empty() {
        out.push(Band {
            label: format!("{}: outside any VPC", config.lines.join(" ")),
            nodes: config.nodes.clone(),
        });
    }
    out
}

/// One SVG per configuration in `configs`. The graph was built for every configuration,
/// so its top-level cluster `c` is configuration `c`; edges are bucketed by configuration
/// once, so each diagram only looks at its own.
pub(super) fn write_all(
    g: &Graph,
    configs: &[ConfigId],
    highlights: &BTreeMap<ConfigId, Vec<Highlight>>,
) -> BTreeMap<ConfigId, String> {
    let mut cluster_of: Vec<Option<usize>> = vec![None; g.nodes.len()];
    for (k, cluster) in g.clusters.iter().enumerate() {
        let mut nodes = Vec::new();
        all(cluster, &mut nodes);
        for n in nodes {
            cluster_of[n] = Some(k);
        }
    }
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); g.clusters.len()];
    for (e, edge) in g.edges.iter().enumerate() {
        if let Some(k) = cluster_of[edge.from].or(cluster_of[edge.to]) {
            edges[k].push(e);
        }
    }
    configs
        .iter()
        .filter_map(|&c| {
            let k = c as usize;
            let cluster = g.clusters.get(k)?;
            debug_assert_eq!(cluster.id, format!("kc{c}"));
            // Green when a highlighted path gets through, red when every one is blocked,
            // as `sagescan graph` draws a single path.
            let list = highlights.get(&c).map_or(&[][..], Vec::as_slice);
            let colour = if list.iter().any(|h| h.reachable) {
                super::GREEN
            } else {
                super::RED
            };
            Some((c, write(g, cluster, &edges[k], colour, &format!("c{c}"))))
        })
        .collect()
}

/// Draws one configuration: its cluster, the edges that touch it, and the nodes outside
/// every cluster (the internet). `prefix` keeps ids unique when diagrams share one page.
fn write(g: &Graph, config: &Cluster, edge_ids: &[usize], colour: &str, prefix: &str) -> String {
    let x_of = |col: usize| 10 + col as u32 * (NODE_W + COL_GAP);
    let mut pos: Vec<Option<(u32, u32)>> = vec![None; g.nodes.len()];
    let mut body = String::new();
    let mut y = 10;
    for band in bands(config) {
        let mut rows = [0u32; COLUMNS];
        let top = y + BAND_PAD;
        for &n in &band.nodes {
            let col = column(g.nodes[n].shape);
            pos[n] = Some((x_of(col), top + rows[col] * (NODE_H + ROW_GAP)));
            rows[col] += 1;
        }
        let height = BAND_PAD + rows.iter().max().copied().unwrap_or(0) * (NODE_H + ROW_GAP);
        let _ = writeln!(
            body,
            r##"<g class="band"><rect x="4" y="{y}" width="{}" height="{height}" rx="8" fill="none" stroke="#8c959f" stroke-dasharray="4 3"/><text x="12" y="{}" class="band-label">{}</text></g>"##,
            x_of(COLUMNS - 1) - 12,
            y + 17,
            escape(&cut_wide(&band.label))
        );
        y += height + 12;
    }
    // The internet (and anything else outside every cluster) is centred on the right.
    for (k, &n) in g.top.iter().enumerate() {
        let mid = (y / 2).saturating_sub(NODE_H / 2) + k as u32 * (NODE_H + ROW_GAP);
        pos[n] = Some((x_of(column(g.nodes[n].shape)), mid.max(10)));
    }
    // Room on the right for edges that leave the internet node backwards (ingress).
    let width = x_of(COLUMNS) + 40;
    let height = y.max(NODE_H + 20);

    let mut edges = String::new();
    // Path edges last, so they are drawn over the others.
    let mut order: Vec<usize> = edge_ids.to_vec();
    order.sort_by_key(|&e| g.edges[e].on_path);
    // The internet is shared by every configuration: it is on this diagram's path only
    // when one of this diagram's path edges reaches it.
    let mut top_on_path = vec![false; g.nodes.len()];
    for &e in edge_ids {
        let edge = &g.edges[e];
        if edge.on_path {
            top_on_path[edge.from] = true;
            top_on_path[edge.to] = true;
        }
    }
    for e in order {
        let edge = &g.edges[e];
        let (Some((x1, y1)), Some((x2, y2))) = (pos[edge.from], pos[edge.to]) else {
            continue;
        };
        let (x1, y1, x2, y2) = (x1 + NODE_W, y1 + NODE_H / 2, x2, y2 + NODE_H / 2);
        let bend = (x2 as i64 - x1 as i64).abs().max(60) / 2;
        let (stroke, extra) = if edge.on_path {
            (colour, r#" stroke-width="3" class="edge on-path""#)
        } else {
            match edge.kind {
                EdgeKind::Placement => ("#8c959f", r#" stroke-dasharray="5 4" class="edge""#),
                _ => ("#57606a", r#" class="edge""#),
            }
        };
        let label = edge.labels.join(", ");
        let _ = writeln!(
            edges,
            r#"<path d="M{x1},{y1} C{},{y1} {},{y2} {x2},{y2}" fill="none" stroke="{stroke}"{extra} marker-end="url(#{prefix}-arrow)"><title>{}</title></path>"#,
            x1 as i64 + bend,
            x2 as i64 - bend,
            escape(&label)
        );
    }

    let mut nodes = String::new();
    let mut drawn: Vec<usize> = g.top.clone();
    all(config, &mut drawn);
    drawn.sort_unstable();
    for n in drawn {
        let node = &g.nodes[n];
        let Some((x, y)) = pos[n] else { continue };
        let mark = if g.top.contains(&n) && !top_on_path[n] {
            Mark::None
        } else {
            node.mark
        };
        let (fill, stroke, width) = match mark {
            Mark::Blocked => (super::RED_FILL, super::RED, 3),
            Mark::Path => (fill(node.shape), colour, 3),
            Mark::None => (fill(node.shape), "#57606a", 1),
        };
        let rx = if node.shape == Shape::Workload { 14 } else { 4 };
        let _ = write!(
            nodes,
            r#"<g class="node" data-node="{}"><title>{}</title><rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="{rx}" fill="{fill}" stroke="{stroke}" stroke-width="{width}"/>"#,
            escape(&node.id),
            // One tooltip line per label line; a line break inside a line is user text.
            node.lines
                .iter()
                .map(|l| escape(l))
                .collect::<Vec<_>>()
                .join("\n")
        );
        for (i, line) in node.lines.iter().take(2).enumerate() {
            let class = if i == 0 { "kind" } else { "name" };
            let _ = write!(
                nodes,
                r#"<text x="{}" y="{}" class="{class}">{}</text>"#,
                x + 8,
                y + 18 + i as u32 * 16,
                escape(&cut(line))
            );
        }
        nodes.push_str("</g>\n");
    }

    let mut out = String::new();
    let _ = writeln!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="network" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img">"##
    );
    let _ = writeln!(out, "<title>{}</title>", escape(&config.lines.join(" ")));
    let _ = writeln!(
        out,
        r##"<defs><marker id="{prefix}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#57606a"/></marker></defs>"##
    );
    out.push_str(&body);
    out.push_str(&edges);
    out.push_str(&nodes);
    out.push_str("</svg>\n");
    out
}

/// A band label is as wide as the diagram; cut it only when it would overflow.
fn cut_wide(s: &str) -> String {
    let max = LINE_CHARS * COLUMNS;
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let head: String = s.chars().take(max - 1).collect();
        format!("{head}…")
    }
}

fn fill(shape: Shape) -> &'static str {
    match shape {
        Shape::Workload => "#ddf4ff",
        Shape::Firewall => "#fff8c5",
        Shape::Internet => "#eaeef2",
        Shape::Gateway | Shape::InternetGateway => "#f6f8fa",
        _ => "#ffffff",
    }
}
