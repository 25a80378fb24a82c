//! A stand-in for AWS that the binary's live tests point `--endpoint-url` at.

/// A stand-in for AWS on 127.0.0.1: STS names the caller, ListNotebookInstances pages
/// forever, every other call is refused (AccessDenied in the protocol the client speaks),
/// so `collect` writes a snapshot that is all coverage gaps, which is enough to attack its
/// writer. One request per connection.
pub fn refusing_aws() -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut pages = 0;
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut length, mut json, mut endless) = (0, false, false);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                json |= lower.starts_with("content-type:") && lower.contains("json");
                endless |=
                    lower.starts_with("x-amz-target:") && lower.contains("listnotebookinstances");
                line.clear();
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let body = String::from_utf8_lossy(&body);
            let (status, kind, answer) = if body.contains("Action=GetCallerIdentity") {
                (
                    "200 OK",
                    "text/xml",
                    "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
                     <GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/t</Arn>\
                     <UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult>\
                     <ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>\
                     </GetCallerIdentityResponse>"
                        .to_string(),
                )
            } else if endless {
                // Every page empty, every page with a new token: pagination never ends.
                pages += 1;
                (
                    "200 OK",
                    "application/x-amz-json-1.1",
                    format!(r#"{{"NotebookInstances":[],"NextToken":"page-{pages}"}}"#),
                )
            } else if json {
                (
                    "400 Bad Request",
                    "application/x-amz-json-1.1",
                    r#"{"__type":"AccessDeniedException","message":"denied"}"#.to_string(),
                )
            } else {
                (
                    "403 Forbidden",
                    "text/xml",
                    "<Response><Errors><Error><Code>UnauthorizedOperation</Code>\
                     <Message>denied</Message></Error></Errors><RequestID>1</RequestID></Response>"
                        .to_string(),
                )
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: {kind}\r\nx-amzn-errortype: AccessDeniedException\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    url
}
