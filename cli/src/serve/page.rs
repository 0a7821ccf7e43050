//! `GET /`: the last attempts as an HTML page that refreshes itself. Server
//! rendered, every value escaped, no script (the Content-Security-Policy
//! forbids any): what a client sends is data on this page, never markup.

use std::fmt::Write as _;

use serde_json::Value;

use super::State;
use super::endpoint::Reply;

/// `s` with `& < > " '` escaped for HTML text and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn text<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("—")
}

const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d232a;background:#f6f7f9}\
header{background:#1d232a;color:#fff;padding:14px 24px}header h1{margin:0;font-size:20px}\
header p{margin:4px 0 0;color:#c9d1d9;font-size:13px}header code{color:#fff}\
main{padding:16px 24px}table{border-collapse:collapse;width:100%;background:#fff;box-shadow:0 1px 2px #0002}\
th,td{padding:7px 10px;text-align:left;border-bottom:1px solid #e3e6ea;vertical-align:top}\
th{font-size:12px;text-transform:uppercase;color:#57606a;background:#fafbfc}\
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:13px;font-weight:600}\
.accepted .badge{background:#dafbe1;color:#116329}.refused .badge{background:#ffebe9;color:#a40e26}\
.grant .badge{background:#fff8c5;color:#7d4e00}\
tr.attempt td{white-space:nowrap}tr.why td{background:#fffafa;border-bottom:2px solid #e3e6ea}.why p{margin:2px 0}\
.fix{color:#116329;font-weight:600}.found{color:#57606a}code,pre{font:13px ui-monospace,monospace}\
pre{background:#f6f8fa;padding:8px;overflow:auto;margin:4px 0}details{margin-top:6px}\
ol.steps{margin:4px 0;padding-left:22px}.st-fail{color:#a40e26;font-weight:600}.st-not_reached{color:#8c959f}\
.empty{background:#fff;padding:18px;box-shadow:0 1px 2px #0002}";

pub(crate) fn render(state: &State) -> Reply {
    let attempts: Vec<Value> = state.attempts.lock().map(|a| a.iter().cloned().collect()).unwrap_or_default();
    let mut h = String::with_capacity(4096 + attempts.len() * 2048);
    let _ = write!(
        h,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"3\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>jwtauth serve — token requests</title>\
         <style>{STYLE}</style></head><body><header><h1>jwtauth serve — token requests</h1>\
         <p>issuer <code>{}</code> · token endpoint <code>{}</code> · {} registered clients · the last {} attempts, \
         newest first (refreshes every 3 s; as JSON at <a href=\"/attempts\" style=\"color:#fff\">/attempts</a>)</p>\
         </header><main>",
        esc(&state.issuer),
        esc(&state.token_endpoint),
        state.clients.load(std::sync::atomic::Ordering::Relaxed),
        super::endpoint::KEPT,
    );
    if attempts.is_empty() {
        let _ = write!(
            h,
            "<p class=\"empty\" id=\"empty\">No token request yet. Send one, for example:<br>\
             <code>jwtauth sign --key client-key.pem --client-id CLIENT --aud {} --curl {}</code></p>",
            esc(&state.issuer),
            esc(&state.token_endpoint)
        );
    } else {
        h.push_str(
            "<table id=\"attempts\"><thead><tr><th>time (UTC)</th><th>client</th><th>method</th><th>alg</th>\
             <th>grant</th><th>verdict</th></tr></thead><tbody>",
        );
        for a in &attempts {
            row(&mut h, a);
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</main></body></html>");
    let mut r = super::endpoint::reply(200, "text/html; charset=utf-8", h);
    let headers = r.headers_mut();
    headers.insert(
        hyper::header::CONTENT_SECURITY_POLICY,
        hyper::header::HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    headers.insert(hyper::header::X_CONTENT_TYPE_OPTIONS, hyper::header::HeaderValue::from_static("nosniff"));
    r
}

fn row(h: &mut String, a: &Value) {
    let verdict = text(a, "verdict");
    let status = a.get("status").map_or_else(String::new, Value::to_string);
    let grant_error = a.get("grant_error").and_then(Value::as_str);
    let would = a.get("would_refuse").filter(|w| w.is_object()).map_or_else(String::new, |w| {
        format!(" · {} would refuse: {}", esc(text(w, "profile")), esc(text(w, "code")))
    });
    let (class, badge) = match (verdict, grant_error) {
        ("accepted", None) => ("accepted", format!("accepted · {status}{would}")),
        ("accepted", Some(g)) => ("grant", format!("authenticated · grant refused: {} · {status}", esc(g))),
        _ => ("refused", format!("refused · {status} · {}", esc(text(a, "error")))),
    };
    let _ = write!(
        h,
        "<tr class=\"attempt {class}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
         <td><span class=\"badge\">{badge}</span></td></tr>",
        esc(text(a, "at")),
        esc(text(a, "client_id")),
        esc(text(a, "method")),
        esc(text(a, "alg")),
        esc(text(a, "grant_type")),
    );
    if verdict != "refused" {
        return;
    }
    h.push_str("<tr class=\"why\"><td colspan=\"6\">");
    match a.get("failed").filter(|f| f.is_object()) {
        Some(f) => {
            let _ = write!(
                h,
                "<div class=\"failed\"><p><strong>Failed rule {} — <span class=\"rule-name\">{}</span></strong>: {}</p>\
                 <p class=\"found\">found: {}</p><p class=\"fix\">fix: {}</p>",
                f.get("rule").map_or_else(String::new, Value::to_string),
                esc(text(f, "name")),
                esc(text(f, "checks")),
                esc(text(f, "found")),
                esc(text(f, "fix")),
            );
        }
        None => {
            let _ = write!(h, "<div class=\"failed\"><p>{}</p>", esc(text(a, "detail")));
        }
    }
    h.push_str("<details><summary>every rule, the decoded header and claims</summary><ol class=\"steps\">");
    for s in a.get("steps").and_then(Value::as_array).into_iter().flatten() {
        let status = text(s, "status");
        let _ = write!(
            h,
            "<li class=\"st-{}\">{} {} — {}</li>",
            esc(status),
            esc(status),
            esc(text(s, "name")),
            esc(text(s, "checks"))
        );
    }
    h.push_str("</ol>");
    for part in ["header", "claims"] {
        if let Some(v) = a.get(part).filter(|v| v.is_object()) {
            let pretty = serde_json::to_string_pretty(v).unwrap_or_default();
            let _ = write!(h, "<p>{part} (as sent, not verified):</p><pre>{}</pre>", esc(&pretty));
        }
    }
    h.push_str("</details></div></td></tr>");
}
