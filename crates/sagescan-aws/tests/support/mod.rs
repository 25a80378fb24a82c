//! Test harness for live collection: a moto server on a free 127.0.0.1 port (stopped when
//! dropped), a seeding script run with boto3, and a fault-injecting HTTP proxy in front of
//! moto that answers chosen operations with denials, throttling or silence.
//!
//! Moto is found as `moto_server` on PATH or as `python3 -m moto.server`. Without it the
//! tests skip with a message, unless `SAGESCAN_REQUIRE_MOTO=1` (set by `.ci/run`), where a
//! missing moto is a failure: CI must never pass by skipping.

#![allow(dead_code)]

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub struct Moto {
    child: Child,
    pub endpoint: String,
    /// Held for the test's lifetime: see [`ONE_AT_A_TIME`].
    _turn: MutexGuard<'static, ()>,
}

/// One emulator at a time. The fault test's deadlines assume the machine is not also
/// running the other tests' emulators and collections (CI has two cores); in parallel,
/// slow answers became timeouts.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

impl Moto {
    /// Starts moto, or returns `None` (after saying so) when it is not installed and not
    /// required.
    pub fn start() -> Option<Moto> {
        // A test that failed while holding the turn poisons the lock; the turn is still free.
        let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let port = free_port();
        let port_arg = port.to_string();
        let candidates: [(&str, Vec<&str>); 2] = [
            ("moto_server", vec!["-H", "127.0.0.1", "-p", &port_arg]),
            (
                "python3",
                vec!["-m", "moto.server", "-H", "127.0.0.1", "-p", &port_arg],
            ),
        ];
        let mut child = None;
        for (program, args) in candidates {
            if !installed(program, &args) {
                continue;
            }
            child = Command::new(program)
                .args(&args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .ok();
            if child.is_some() {
                break;
            }
        }
        let Some(child) = child else {
            let required = std::env::var("SAGESCAN_REQUIRE_MOTO").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "moto is not installed (pip install 'moto[server]') and SAGESCAN_REQUIRE_MOTO=1"
            );
            eprintln!(
                "SKIPPED: moto is not installed; pip install 'moto[server]' to run this test"
            );
            return None;
        };
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            _turn: turn,
        };
        wait_until_listening(port);
        Some(moto)
    }

    /// Runs `tests/moto/seed.py SCENARIO` against this server; returns what it printed.
    pub fn seed(&self, scenario: &str, extra: &[&str]) -> String {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/moto/seed.py");
        let out = Command::new("python3")
            .arg(&script)
            .arg(&self.endpoint)
            .arg(scenario)
            .args(extra)
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "seeding failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether the server starts far enough to print its help: moto's server module may be
/// missing even where python3 exists.
fn installed(program: &str, args: &[&str]) -> bool {
    let module: &[&str] = if program == "python3" {
        &args[..2]
    } else {
        &[]
    };
    Command::new(program)
        .args(module)
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

fn wait_until_listening(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("moto did not start listening on 127.0.0.1:{port} within 30 s");
}

/// What the proxy does with a request it matched.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer with this HTTP status and body (an AWS error document or a canned reply).
    Reply {
        status: u16,
        content_type: &'static str,
        body: String,
    },
    /// Never answer (the connection stays open until the client gives up).
    Hang,
    /// Answer this JSON body with `{token}` replaced by a token never sent before: a
    /// listing whose pagination never ends.
    Endless { body: String },
}

/// A rule: requests of `service` (the SigV4 service name) in `region` (or any region),
/// for `operation` (or any operation), whose text contains `containing` (if given), get
/// `fault`.
#[derive(Clone, Debug)]
pub struct Rule {
    pub service: &'static str,
    pub region: Option<&'static str>,
    pub operation: Option<&'static str>,
    pub containing: Option<String>,
    pub fault: Fault,
}

impl Rule {
    pub fn access_denied_json(service: &'static str, region: &'static str) -> Rule {
        Rule {
            service,
            region: Some(region),
            operation: None,
            containing: None,
            fault: Fault::Reply {
                status: 400,
                content_type: "application/x-amz-json-1.1",
                body: r#"{"__type":"AccessDeniedException","message":"not authorized (injected)"}"#
                    .into(),
            },
        }
    }

    pub fn throttled_ec2(region: &'static str, operation: &'static str) -> Rule {
        Rule {
            service: "ec2",
            region: Some(region),
            operation: Some(operation),
            containing: None,
            fault: Fault::Reply {
                status: 503,
                content_type: "text/xml",
                body: "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded (injected)</Message></Error></Errors><RequestID>1</RequestID></Response>".into(),
            },
        }
    }

    pub fn hang(region: &'static str) -> Rule {
        Rule {
            service: "*",
            region: Some(region),
            operation: None,
            containing: None,
            fault: Fault::Hang,
        }
    }

    /// Moto (5.2) answers these listings with a server error (the Network Firewall ones)
    /// or does not implement them (monitoring schedules, Studio user profiles and spaces,
    /// DNS Firewall): the proxy answers
    /// them with empty lists, as an account without such resources would.
    pub fn moto_gaps() -> Vec<Rule> {
        [
            (
                "network-firewall",
                "ListFirewallPolicies",
                "application/x-amz-json-1.0",
                r#"{"FirewallPolicies":[]}"#,
            ),
            (
                "network-firewall",
                "ListRuleGroups",
                "application/x-amz-json-1.0",
                r#"{"RuleGroups":[]}"#,
            ),
            (
                "sagemaker",
                "ListMonitoringSchedules",
                "application/x-amz-json-1.1",
                r#"{"MonitoringScheduleSummaries":[]}"#,
            ),
            (
                "sagemaker",
                "ListUserProfiles",
                "application/x-amz-json-1.1",
                r#"{"UserProfiles":[]}"#,
            ),
            (
                "sagemaker",
                "ListSpaces",
                "application/x-amz-json-1.1",
                r#"{"Spaces":[]}"#,
            ),
            (
                "route53resolver",
                "ListFirewallRuleGroupAssociations",
                "application/x-amz-json-1.1",
                r#"{"FirewallRuleGroupAssociations":[]}"#,
            ),
            (
                "route53resolver",
                "ListFirewallRuleGroups",
                "application/x-amz-json-1.1",
                r#"{"FirewallRuleGroups":[]}"#,
            ),
            (
                "route53resolver",
                "ListFirewallDomainLists",
                "application/x-amz-json-1.1",
                r#"{"FirewallDomainLists":[]}"#,
            ),
        ]
        .into_iter()
        .map(|(service, op, content_type, body)| Rule {
            service,
            region: None,
            operation: Some(op),
            containing: None,
            fault: Fault::Reply {
                status: 200,
                content_type,
                body: body.into(),
            },
        })
        .collect()
    }

    /// A successful JSON answer to `service:operation` for requests containing `containing`
    /// (any request when `None`): what moto cannot answer itself.
    pub fn answer(
        service: &'static str,
        operation: &'static str,
        containing: Option<&str>,
        body: String,
    ) -> Rule {
        Rule {
            service,
            region: None,
            operation: Some(operation),
            containing: containing.map(str::to_string),
            fault: Fault::Reply {
                status: 200,
                content_type: "application/x-amz-json-1.1",
                body,
            },
        }
    }

    /// `service:operation` answers `body` (JSON 1.1) on every page, under a fresh
    /// `NextToken` each time (`{token}` in `body`).
    pub fn endless(service: &'static str, operation: &'static str, body: &str) -> Rule {
        Rule {
            service,
            region: None,
            operation: Some(operation),
            containing: None,
            fault: Fault::Endless { body: body.into() },
        }
    }

    /// `sts:AssumeRole` of a role in `account` is refused, as by the role's trust policy.
    pub fn assume_role_denied(account: &str) -> Rule {
        Rule {
            service: "sts",
            region: None,
            operation: Some("AssumeRole"),
            containing: Some(account.to_string()),
            fault: Fault::Reply {
                status: 403,
                content_type: "text/xml",
                body: "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform sts:AssumeRole (injected)</Message></Error><RequestId>1</RequestId></ErrorResponse>".into(),
            },
        }
    }

    fn matches(&self, service: &str, region: &str, operation: &str, request: &str) -> bool {
        (self.service == "*" || self.service == service)
            && self.region.is_none_or(|r| r == region)
            && self.operation.is_none_or(|o| o == operation)
            && self
                .containing
                .as_ref()
                .is_none_or(|c| request.contains(c.as_str()))
    }
}

/// A fault-injecting HTTP/1.1 proxy on a free port, forwarding what no rule matches to
/// `upstream`. One thread per connection, one request per connection.
pub struct Proxy {
    pub endpoint: String,
}

impl Proxy {
    pub fn start(upstream: &str, rules: Vec<Rule>) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let upstream = upstream.trim_start_matches("http://").to_string();
        let rules = Arc::new(rules);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let rules = rules.clone();
                let upstream = upstream.clone();
                std::thread::spawn(move || serve(stream, &upstream, &rules));
            }
        });
        Proxy {
            endpoint: format!("http://127.0.0.1:{port}"),
        }
    }
}

fn serve(mut client: TcpStream, upstream: &str, rules: &[Rule]) {
    loop {
        let Some(request) = read_request(&mut client) else {
            return;
        };
        let head = String::from_utf8_lossy(&request[..request.len().min(8192)]).to_string();
        let (service, region) = signing_scope(&head);
        let operation = operation(&head);
        match rules
            .iter()
            .find(|r| r.matches(&service, &region, &operation, &head))
            .map(|r| &r.fault)
        {
            Some(Fault::Hang) => {
                // Hold the connection until the client gives up (bounded, so the thread ends).
                std::thread::sleep(Duration::from_secs(60));
                return;
            }
            Some(Fault::Endless { body }) => {
                static TOKENS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
                let n = TOKENS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let body = body.replace("{token}", &format!("loop-{n}"));
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nx-amzn-RequestId: injected\r\n\r\n{body}",
                    body.len()
                );
                if client.write_all(response.as_bytes()).is_err() {
                    return;
                }
            }
            Some(Fault::Reply {
                status,
                content_type,
                body,
            }) => {
                let response = format!(
                    "HTTP/1.1 {status} Injected\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nx-amzn-RequestId: injected\r\n\r\n{body}",
                    body.len()
                );
                if client.write_all(response.as_bytes()).is_err() {
                    return;
                }
            }
            None => {
                let Ok(mut up) = TcpStream::connect(upstream) else {
                    return;
                };
                let request = force_close(&request);
                if up.write_all(&request).is_err() {
                    return;
                }
                let mut response = Vec::new();
                let _ = up.read_to_end(&mut response);
                let response = strip_connection_close(&response);
                if client.write_all(&response).is_err() {
                    return;
                }
            }
        }
    }
}

/// Reads one request: headers, then `Content-Length` bytes of body.
fn read_request(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16384];
    let header_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < header_end + length {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(buf)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The upstream is read to EOF, so it must close after one response.
fn force_close(request: &[u8]) -> Vec<u8> {
    let Some(end) = find(request, b"\r\n\r\n") else {
        return request.to_vec();
    };
    let head = String::from_utf8_lossy(&request[..end]);
    let mut out: Vec<u8> = head
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .collect::<Vec<_>>()
        .join("\r\n")
        .into_bytes();
    out.extend_from_slice(b"\r\nConnection: close\r\n\r\n");
    out.extend_from_slice(&request[end + 4..]);
    out
}

/// The client may keep its connection: drop the upstream's `Connection: close`.
fn strip_connection_close(response: &[u8]) -> Vec<u8> {
    let Some(end) = find(response, b"\r\n\r\n") else {
        return response.to_vec();
    };
    let head = String::from_utf8_lossy(&response[..end]);
    let mut out: Vec<u8> = head
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .collect::<Vec<_>>()
        .join("\r\n")
        .into_bytes();
    out.extend_from_slice(b"\r\n\r\n");
    out.extend_from_slice(&response[end + 4..]);
    out
}

/// `(service, region)` from the SigV4 credential scope: `Credential=AKID/DATE/REGION/SERVICE/aws4_request`.
fn signing_scope(head: &str) -> (String, String) {
    let scope = head
        .split("Credential=")
        .nth(1)
        .and_then(|rest| rest.split([',', ' ']).next())
        .unwrap_or_default();
    let parts: Vec<&str> = scope.split('/').collect();
    match parts.as_slice() {
        [_, _, region, service, ..] => (service.to_string(), region.to_string()),
        _ => (String::new(), String::new()),
    }
}

/// The operation: `X-Amz-Target: Service.Operation` (JSON protocols) or `Action=` (EC2).
fn operation(request: &str) -> String {
    for line in request.lines() {
        if let Some(v) = line
            .to_ascii_lowercase()
            .starts_with("x-amz-target:")
            .then(|| line.split_once(':').map(|(_, v)| v.trim()))
            .flatten()
        {
            return v.rsplit('.').next().unwrap_or_default().to_string();
        }
    }
    request
        .split("Action=")
        .nth(1)
        .and_then(|rest| rest.split(['&', '\r', '\n']).next())
        .unwrap_or_default()
        .to_string()
}

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
