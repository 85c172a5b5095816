//! What an operator scrapes: counters, gauges and histograms in the
//! Prometheus text format (version 0.0.4), kept in memory.
//!
//! Labels hold only what the server itself names: a route's template
//! (`/api/templates/{name}`, never the path asked for), a method from a
//! fixed list, a status code, a kind of render, a reason. Nothing a
//! request carries ever becomes a label.
//!
//! The metric names are stable (dashboards and the cluster test read
//! them):
//!
//! | name | type | labels |
//! |---|---|---|
//! | `postkit_http_requests_total` | counter | route, method, status |
//! | `postkit_http_response_bytes_total` | counter | route |
//! | `postkit_render_seconds` | histogram | kind (`still`, `clip`, `zip`) |
//! | `postkit_render_queue_wait_seconds` | histogram | |
//! | `postkit_render_rejections_total` | counter | reason (`queue_full`, `queue_timeout`) |
//! | `postkit_connection_rejections_total` | counter | |
//! | `postkit_render_slots` | gauge | |
//! | `postkit_render_slots_busy` | gauge | |
//! | `postkit_render_queue_length` | gauge | |
//! | `postkit_render_queue_reading` | gauge | |
//! | `postkit_render_queue_capacity` | gauge | |
//! | `postkit_connections_open` | gauge | |
//! | `postkit_ready` | gauge | |
//! | `postkit_build_info` | gauge (1) | version, features |

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// The media type of the text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Upper bounds of the render time buckets, seconds.
const RENDER_BUCKETS: [f64; 12] = [
    0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 40.0, 60.0,
];

/// Upper bounds of the queue wait buckets, seconds.
const WAIT_BUCKETS: [f64; 11] = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// What a render made, as a label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// One or more images (JSON with previews, or one PNG).
    Still,
    /// One clip (MP4).
    Clip,
    /// The whole kit as a zip.
    Zip,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Still => "still",
            Kind::Clip => "clip",
            Kind::Zip => "zip",
        }
    }
}

/// A histogram with fixed buckets.
#[derive(Clone, Default)]
struct Histogram {
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, bounds: &[f64], v: f64) {
        if self.counts.len() != bounds.len() {
            self.counts = vec![0; bounds.len()];
        }
        // Cumulative: every bucket whose bound is at least the value.
        for (c, b) in self.counts.iter_mut().zip(bounds) {
            if v <= *b {
                *c += 1;
            }
        }
        self.sum += v;
        self.count += 1;
    }

    fn write(&self, out: &mut String, name: &str, labels: &str, bounds: &[f64]) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (i, b) in bounds.iter().enumerate() {
            let c = self.counts.get(i).copied().unwrap_or(0);
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{b}\"}} {c}");
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let braces = |s: &str| {
            if s.is_empty() {
                String::new()
            } else {
                format!("{{{s}}}")
            }
        };
        let _ = writeln!(out, "{name}_sum{} {}", braces(labels), self.sum);
        let _ = writeln!(out, "{name}_count{} {}", braces(labels), self.count);
    }
}

/// The counters and histograms (gauges are read when scraped).
#[derive(Default)]
struct Counts {
    requests: BTreeMap<(String, &'static str, u16), u64>,
    bytes: BTreeMap<String, u64>,
    render: BTreeMap<Kind, Histogram>,
    wait: Histogram,
    rejections: BTreeMap<&'static str, u64>,
}

/// The server's metrics.
#[derive(Default)]
pub struct Metrics {
    counts: Mutex<Counts>,
}

/// The gauges, read at the time of a scrape.
pub struct Gauges {
    pub slots: usize,
    pub busy: usize,
    pub queue: usize,
    pub reading: usize,
    pub queue_capacity: usize,
    pub connections: usize,
    pub connection_rejections: u64,
    pub ready: bool,
}

/// A method as a label: one of the standard ones, or `other`.
pub fn method_label(m: &axum::http::Method) -> &'static str {
    match m.as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "HEAD" => "HEAD",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

/// A label value, escaped as the text format wants.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn head(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// The features this build has, comma-separated.
fn features() -> String {
    let all = [
        ("cjk", cfg!(feature = "cjk")),
        ("emoji", cfg!(feature = "emoji")),
        ("serve", cfg!(feature = "serve")),
        ("video", cfg!(feature = "video")),
    ];
    let on: Vec<&str> = all.iter().filter(|(_, on)| *on).map(|(n, _)| *n).collect();
    on.join(",")
}

impl Metrics {
    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One answered request: its route's template, method, status and
    /// body bytes.
    pub fn request(&self, route: &str, method: &axum::http::Method, status: u16, bytes: u64) {
        let mut c = self.lock();
        *c.requests
            .entry((route.to_string(), method_label(method), status))
            .or_default() += 1;
        *c.bytes.entry(route.to_string()).or_default() += bytes;
    }

    /// A render's time on its slot.
    pub fn render(&self, kind: Kind, took: Duration) {
        let mut c = self.lock();
        let h = c.render.entry(kind).or_default();
        h.observe(&RENDER_BUCKETS, took.as_secs_f64());
    }

    /// The time a request waited for its slot.
    pub fn waited(&self, took: Duration) {
        self.lock().wait.observe(&WAIT_BUCKETS, took.as_secs_f64());
    }

    /// A request refused a slot, and why.
    pub fn rejected(&self, reason: &'static str) {
        *self.lock().rejections.entry(reason).or_default() += 1;
    }

    /// The text exposition.
    pub fn render_text(&self, g: &Gauges) -> String {
        let c = self.lock();
        let mut out = String::new();
        let name = "postkit_http_requests_total";
        head(&mut out, name, "counter", "HTTP requests answered, by route template, method and status (scrapes of /metrics not counted).");
        for ((route, method, status), n) in &c.requests {
            let route = escape(route);
            let _ = writeln!(
                out,
                "{name}{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {n}"
            );
        }
        let name = "postkit_http_response_bytes_total";
        head(
            &mut out,
            name,
            "counter",
            "Bytes of answer bodies, by route template.",
        );
        for (route, n) in &c.bytes {
            let _ = writeln!(out, "{name}{{route=\"{}\"}} {n}", escape(route));
        }
        let name = "postkit_render_seconds";
        head(
            &mut out,
            name,
            "histogram",
            "Time a render held its slot, by what it made (still, clip, zip).",
        );
        for kind in [Kind::Still, Kind::Clip, Kind::Zip] {
            let h = c.render.get(&kind).cloned().unwrap_or_default();
            let labels = format!("kind=\"{}\"", kind.label());
            h.write(&mut out, name, &labels, &RENDER_BUCKETS);
        }
        let name = "postkit_render_queue_wait_seconds";
        head(
            &mut out,
            name,
            "histogram",
            "Time a render request waited for a slot.",
        );
        c.wait.write(&mut out, name, "", &WAIT_BUCKETS);
        let name = "postkit_render_rejections_total";
        head(
            &mut out,
            name,
            "counter",
            "Render requests answered 503: the queue was full, or the wait ran out.",
        );
        for reason in ["queue_full", "queue_timeout"] {
            let n = c.rejections.get(reason).copied().unwrap_or(0);
            let _ = writeln!(out, "{name}{{reason=\"{reason}\"}} {n}");
        }
        let simple: [(&str, &str, &str, String); 8] = [
            (
                "postkit_connection_rejections_total",
                "counter",
                "Connections answered 503 and closed at the connection cap.",
                g.connection_rejections.to_string(),
            ),
            (
                "postkit_render_slots",
                "gauge",
                "Render slots (requests rendered at once).",
                g.slots.to_string(),
            ),
            (
                "postkit_render_slots_busy",
                "gauge",
                "Render slots in use.",
                g.busy.to_string(),
            ),
            (
                "postkit_render_queue_length",
                "gauge",
                "Render requests waiting for a slot, in arrival order.",
                g.queue.to_string(),
            ),
            (
                "postkit_render_queue_reading",
                "gauge",
                "Render requests admitted to the queue and still reading their upload.",
                g.reading.to_string(),
            ),
            (
                "postkit_render_queue_capacity",
                "gauge",
                "Render requests that may wait (or read their upload) beyond the free slots (--queue).",
                g.queue_capacity.to_string(),
            ),
            (
                "postkit_connections_open",
                "gauge",
                "Connections open now.",
                g.connections.to_string(),
            ),
            (
                "postkit_ready",
                "gauge",
                "1 while ready for requests, 0 from SIGTERM on (draining).",
                u8::from(g.ready).to_string(),
            ),
        ];
        for (name, kind, help, value) in simple {
            head(&mut out, name, kind, help);
            let _ = writeln!(out, "{name} {value}");
        }
        let name = "postkit_build_info";
        head(
            &mut out,
            name,
            "gauge",
            "The version and features of this build (always 1).",
        );
        let _ = writeln!(
            out,
            "{name}{{version=\"{}\",features=\"{}\"}} 1",
            escape(env!("CARGO_PKG_VERSION")),
            features()
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_and_labels_escaped() {
        let m = Metrics::default();
        m.render(Kind::Zip, Duration::from_millis(300));
        m.render(Kind::Zip, Duration::from_secs(3));
        m.request("/a\"b", &axum::http::Method::GET, 200, 10);
        let g = Gauges {
            slots: 2,
            busy: 1,
            queue: 0,
            reading: 0,
            queue_capacity: 8,
            connections: 3,
            connection_rejections: 0,
            ready: true,
        };
        let t = m.render_text(&g);
        assert!(t.contains("postkit_render_seconds_bucket{kind=\"zip\",le=\"0.25\"} 0"));
        assert!(t.contains("postkit_render_seconds_bucket{kind=\"zip\",le=\"0.5\"} 1"));
        assert!(t.contains("postkit_render_seconds_bucket{kind=\"zip\",le=\"5\"} 2"));
        assert!(t.contains("postkit_render_seconds_count{kind=\"zip\"} 2"));
        assert!(t.contains("route=\"/a\\\"b\",method=\"GET\",status=\"200\"} 1"));
        assert!(t.contains("postkit_render_slots_busy 1\n"));
    }
}
