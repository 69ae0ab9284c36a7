//! End-to-end harness: the demo shop (`www/`) and the release agent (`target/agent/`, from
//! `make agent`) served by the collector's own router on a free port over a temporary SQLite
//! file, driven in headless Chromium through the Debian chromedriver.
//!
//! - [`Shop`]: the collector, in this process, with a test layer that records every request
//!   and can serve a strict CSP or damaged rules; it can be stopped and started again on the
//!   same port and database.
//! - [`Browser`]: a fresh Chromium session per scenario, with helpers for the prompt in its
//!   shadow root, and screenshots under `target/e2e/`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use fantoccini::{Client, ClientBuilder, Locator};
use lifeline_collector::assets::Assets;
use lifeline_collector::metrics::Metrics;
use lifeline_collector::store::Database;
use lifeline_collector::store::{ReportFilter, Site, Store, StoredReport};
use lifeline_collector::{App, Settings, router, token};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// One request the page made, as the collector saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Path and query.
    pub uri: String,
    /// The body, as text.
    pub body: String,
    /// The `If-None-Match` header the browser sent, if any.
    pub if_none_match: Option<String>,
    /// The response's status.
    pub status: u16,
}

/// What the test layer shares: the requests recorded and its switches.
type LayerState = Arc<(Arc<Mutex<Vec<Recorded>>>, Arc<Switches>)>;

/// What the test layer does besides recording.
#[derive(Debug, Default)]
struct Switches {
    /// Serve pages with `script-src 'self' 'wasm-unsafe-eval'; style-src 'self'`.
    strict_csp: AtomicBool,
    /// Serve this instead of the site's rules.
    rules_as_is: Mutex<Option<String>>,
    /// Record `console.error` calls in `window.__errors` and `console.info` in
    /// `window.__info` (a script put first in each page).
    capture_console: AtomicBool,
    /// Turn on the agent's debug log (`data-debug` on its tag): signals, score, decisions.
    debug: AtomicBool,
    /// Pages name this site on the agent's tag instead of `demo`.
    site: Mutex<Option<String>>,
}

/// The collector serving the demo shop.
pub struct Shop {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The demo site's admin token.
    pub token: String,
    store: Arc<Database>,
    requests: Arc<Mutex<Vec<Recorded>>>,
    switches: Arc<Switches>,
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    app: Option<Arc<App<Database>>>,
    /// The agent's files served (`target/agent`, or another build of it).
    agent: PathBuf,
    _dir: tempfile::TempDir,
}

const CONSOLE_HOOK: &str = "<script>window.__errors=[];window.__info=[];(function(){\
var e=console.error,i=console.info;\
console.error=function(){window.__errors.push([].slice.call(arguments).join(' '));\
return e.apply(console,arguments);};\
console.info=function(){window.__info.push([].slice.call(arguments).join(' '));\
if(document.prerendering)(window.__prerendering=window.__prerendering||[]).push(arguments[0]);\
return i.apply(console,arguments);};\
var w=console.warn;console.warn=function(){window.__info.push('warn: '+[].slice.call(arguments).join(' '));\
return w.apply(console,arguments);};})();</script>";

async fn test_layer(State(s): State<LayerState>, request: Request, next: Next) -> Response {
    let (requests, switches) = (&s.0, &s.1);
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let uri = parts.uri.to_string();
    let mut recorded = Recorded {
        method: parts.method.to_string(),
        uri: uri.clone(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
        if_none_match: parts
            .headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        status: 0,
    };
    let rules_as_is = switches.rules_as_is.lock().ok().and_then(|b| b.clone());
    let response = match rules_as_is {
        Some(bad) if uri.starts_with("/v1/sites/demo/rules") => {
            ([(header::CONTENT_TYPE, "application/json")], bad).into_response()
        }
        _ => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
    };
    recorded.status = response.status().as_u16();
    if let Ok(mut r) = requests.lock() {
        r.push(recorded);
    }
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if !html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let mut page = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default()
        .to_vec();
    if switches.capture_console.load(Ordering::Relaxed) {
        let text =
            String::from_utf8_lossy(&page).replacen("<head>", &format!("<head>{CONSOLE_HOOK}"), 1);
        page = text.into_bytes();
        parts.headers.remove(header::CONTENT_LENGTH);
    }
    if let Some(site) = switches.site.lock().ok().and_then(|s| s.clone()) {
        let text = String::from_utf8_lossy(&page).replacen(
            "data-site=\"demo\"",
            &format!("data-site=\"{site}\""),
            1,
        );
        page = text.into_bytes();
        parts.headers.remove(header::CONTENT_LENGTH);
    }
    if switches.debug.load(Ordering::Relaxed) {
        let text = String::from_utf8_lossy(&page).replacen(
            "data-site=\"demo\"",
            "data-site=\"demo\" data-debug",
            1,
        );
        page = text.into_bytes();
        parts.headers.remove(header::CONTENT_LENGTH);
    }
    if switches.strict_csp.load(Ordering::Relaxed) {
        parts.headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("script-src 'self' 'wasm-unsafe-eval'; style-src 'self'"),
        );
    }
    Response::from_parts(parts, Body::from(page))
}

impl Shop {
    /// Starts a collector with the demo site and the demo rules, on a free port, serving
    /// the release agent (`make agent`).
    pub async fn start() -> Shop {
        Shop::start_with_agent("target/agent").await
    }

    /// The same, serving the agent built into `dir` (relative to the repository), such as
    /// `target/agent-crash` (`make agent-crash`: the shipped build with its test hooks).
    pub async fn start_with_agent(agent: &str) -> Shop {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store =
            Arc::new(Database::sqlite(&dir.path().join("lifeline.db"), None).expect("the store"));
        let (token, token_hash) = token::new_token().expect("randomness");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let addr = listener.local_addr().expect("an address");
        let base = format!("http://{addr}");
        store
            .add_site(Site {
                name: "demo".into(),
                origins: vec![base.clone()],
                token_hash,
                active_rules: None,
                secret: Vec::new(),
            })
            .await
            .expect("the demo site");
        let rules =
            std::fs::read_to_string(root().join("www/demo/rules.json")).expect("the demo rules");
        let compiled = lifeline_shared::Rules::from_json_str(&rules)
            .expect("the demo rules are valid")
            .to_compiled();
        store
            .put_rules("demo", rules, compiled)
            .await
            .expect("rules stored");
        let mut shop = Shop {
            base,
            token,
            store,
            requests: Arc::default(),
            switches: Arc::default(),
            addr,
            stop: None,
            server: None,
            app: None,
            agent: root().join(agent),
            _dir: dir,
        };
        shop.serve(listener);
        shop
    }

    fn serve(&mut self, listener: tokio::net::TcpListener) {
        let agent = &self.agent;
        let assets = Assets::load(agent).unwrap_or_else(|e| {
            panic!(
                "{}: {e}: build the release agent first (`make agent`, `make agent-crash`)",
                agent.display()
            )
        });
        assert!(
            assets.names().any(|n| n == "agent.js"),
            "no agent.js: run `make agent`"
        );
        let app = Arc::new(App::new(
            self.store.clone(),
            assets,
            Arc::new(Metrics::default()),
            Settings {
                public_url: Some(self.base.clone()),
                reports_per_minute: 0,
                www: Some(root().join("www")),
                ..Settings::default()
            },
        ));
        let state: LayerState = Arc::new((self.requests.clone(), self.switches.clone()));
        self.app = Some(app.clone());
        let routes = router(app).layer(axum::middleware::from_fn_with_state(state, test_layer));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        self.stop = Some(stop);
        self.server = Some(tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                routes.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
        }));
    }

    /// Takes the collector down (connections are refused until [`Shop::restart`]).
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
        }
    }

    /// Brings the collector back on the same port and database.
    pub async fn restart(&mut self) {
        let started = Instant::now();
        let listener = loop {
            match tokio::net::TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(e) if started.elapsed() < Duration::from_secs(10) => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("cannot listen on {} again: {e}", self.addr),
            }
        };
        self.serve(listener);
    }

    /// Serves pages with a strict Content-Security-Policy header.
    pub fn strict_csp(&self, on: bool) {
        self.switches.strict_csp.store(on, Ordering::Relaxed);
    }

    /// Stores and serves `text` as a new version of the site's rules (checked first).
    pub async fn put_rules(&self, text: &str) {
        let compiled = lifeline_shared::Rules::from_json_str(text)
            .unwrap_or_else(|e| panic!("the rules are not valid: {e}"))
            .to_compiled();
        self.store
            .put_rules("demo", text.to_owned(), compiled)
            .await
            .expect("rules stored");
    }

    /// Serves `text` as the site's rules, as it is: bad rules, or JSON rules as a site's
    /// own server would serve them (the agent checks them with its checker module).
    pub fn serve_rules_as_is(&self, text: &str) {
        if let Ok(mut b) = self.switches.rules_as_is.lock() {
            *b = Some(text.to_owned());
        }
    }

    /// Records `console.error` calls in `window.__errors`.
    pub fn capture_console(&self, on: bool) {
        self.switches.capture_console.store(on, Ordering::Relaxed);
    }

    /// Turns on the agent's debug log on every page (with [`Shop::capture_console`], read it
    /// with [`Browser::debug_log`]).
    pub fn debug(&self, on: bool) {
        self.switches.debug.store(on, Ordering::Relaxed);
        self.capture_console(on);
    }

    /// Pages name `site` on the agent's tag (a shop that mistyped it, or never added it).
    pub fn tag_site(&self, site: &str) {
        if let Ok(mut s) = self.switches.site.lock() {
            *s = Some(site.to_owned());
        }
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Every stored decision and feedback, oldest first.
    pub async fn stored(&self) -> Vec<StoredReport> {
        let mut page = self
            .store
            .reports("demo", ReportFilter::default(), None, 500)
            .await
            .expect("a read");
        page.items.reverse();
        page.items
    }

    /// Waits until `f` holds of what is stored (reports travel in batches).
    pub async fn wait_stored(
        &self,
        what: &str,
        f: impl Fn(&[StoredReport]) -> bool,
    ) -> Vec<StoredReport> {
        let started = Instant::now();
        loop {
            let stored = self.stored().await;
            if f(&stored) {
                return stored;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "waited 30 s for {what}; stored: {stored:#?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The demo site's signing secret, as `site secret` prints it (the HMAC key the shop's
    /// backend signs visitor attributes with).
    pub async fn secret(&self) -> Vec<u8> {
        let secret = self.store.secret("demo", false).await.expect("a secret");
        lifeline_collector::triage::identity::key(&secret)
    }

    /// Adds `name` to the demo site's staff and returns their token.
    pub async fn add_staff(&self, name: &str, role: lifeline_collector::store::Role) -> String {
        let (token, token_hash) = token::new_token().expect("a token");
        let staff = lifeline_collector::store::NewStaff {
            name: name.into(),
            role,
            token_hash,
        };
        self.store.add_staff("demo", staff).await.expect("added");
        token
    }

    /// `name`, of the demo site's staff, is online now (a heartbeat).
    pub async fn online(&self, name: &str) {
        let now = lifeline_collector::now_ms();
        let online = lifeline_collector::store::Status::Online;
        self.store
            .heartbeat("demo", name, online, now)
            .await
            .expect("a heartbeat");
    }

    /// The demo site's alerts.
    pub async fn alerts(&self) -> Vec<lifeline_collector::store::Alert> {
        self.store.alerts("demo", false).await.expect("a read")
    }

    /// Moves the alerts past their window at `at` (ms since the epoch) on, as the
    /// collector's ticker does every few seconds: the clock is the test's.
    pub async fn escalate(&self, at: u64) -> usize {
        let app = self.app.as_ref().expect("serving");
        lifeline_collector::routes::staff::escalate(app, at)
            .await
            .expect("escalated")
    }

    /// The store, to read what was kept.
    pub fn store(&self) -> &Database {
        &self.store
    }

    /// Calls the admin API with the site's token: `(status, JSON body)`.
    pub async fn admin(&self, method: &str, path: &str) -> (u16, serde_json::Value) {
        let (url, token, method) = (self.url(path), self.token.clone(), method.to_owned());
        tokio::task::spawn_blocking(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            let auth = format!("Bearer {token}");
            let response = if method == "POST" {
                agent.post(&url).header("Authorization", &auth).send_empty()
            } else {
                agent.get(&url).header("Authorization", &auth).call()
            };
            let mut response = response.expect("the collector answers");
            let status = response.status().as_u16();
            let body = response.body_mut().read_to_string().unwrap_or_default();
            (
                status,
                serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
            )
        })
        .await
        .expect("the admin call")
    }

    /// A URL of the shop.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// Clicks an element just looked up by `css`, or says which one was missing.
async fn click_found(
    found: Result<fantoccini::elements::Element, fantoccini::error::CmdError>,
    css: &str,
) {
    found
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// A DevTools command through chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp(String, serde_json::Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({"cmd": self.0, "params": self.1});
        (http::Method::POST, Some(body.to_string()))
    }
}

/// A fresh headless Chromium, through its own chromedriver.
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    driver: std::process::Child,
}

impl Browser {
    /// Starts chromedriver on a free port and a new session (clean profile, 1280×800).
    pub async fn start() -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let driver = std::process::Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("chromedriver (make setup installs it)");
        let caps = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update",
                         "--no-first-run", "--disable-sync", "--window-size=1280,800"]
            }
        });
        let caps = match caps {
            serde_json::Value::Object(m) => m,
            _ => unreachable!(),
        };
        let started = Instant::now();
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => break c,
                Err(e) if started.elapsed() < Duration::from_secs(20) => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("no WebDriver session: {e}"),
            }
        };
        Browser { client, driver }
    }

    /// Opens `url` and waits until the agent is running on it.
    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.expect("the page opens");
        self.wait_agent().await;
    }

    /// Waits until the agent watches the page now loaded.
    pub async fn wait_agent(&self) {
        self.wait_js(
            "the agent running",
            "return window.__lifeline_running === true && document.readyState === 'complete'",
        )
        .await;
    }

    /// Clicks `css`, which loads `path`, and waits for the agent there.
    pub async fn click_to(&self, css: &str, path: &str) {
        self.click(css).await;
        self.wait_js(
            &format!("the page {path}"),
            &format!("return location.pathname === '{path}' && document.readyState === 'complete'"),
        )
        .await;
        self.wait_agent().await;
    }

    /// Runs `script` (a function body) and returns its value.
    pub async fn js(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, vec![])
            .await
            .expect("the script runs")
    }

    /// Waits until `script` returns true.
    pub async fn wait_js(&self, what: &str, script: &str) {
        let started = Instant::now();
        while self.js(script).await != serde_json::Value::Bool(true) {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "waited 20 s for {what}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the element `css` (a real, trusted click).
    pub async fn click(&self, css: &str) {
        click_found(self.client.find(Locator::Css(css)).await, css).await;
    }

    /// Double-clicks the element `css` as a person does: two presses 150 ms apart (the
    /// browser selects the word under the pointer), then a third for the whole line.
    pub async fn double_then_triple_click(&self, css: &str) {
        use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
        let element = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        let pause = PointerAction::Pause {
            duration: Duration::from_millis(150),
        };
        let mut mouse = MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
            element,
            duration: None,
            x: 0.0,
            y: 0.0,
        });
        for _ in 0..3 {
            mouse = mouse
                .then(PointerAction::Down {
                    button: MOUSE_BUTTON_LEFT,
                })
                .then(PointerAction::Up {
                    button: MOUSE_BUTTON_LEFT,
                })
                .then(pause.clone());
        }
        self.client
            .perform_actions(mouse)
            .await
            .unwrap_or_else(|e| panic!("double-click {css}: {e}"));
    }

    /// A real click at the middle of the element `script` returns (for elements WebDriver
    /// cannot click itself, such as those inside a shadow root).
    pub async fn click_where(&self, script: &str) {
        use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
        let at = self
            .js(&format!(
                "var r = ({script}).getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2];"
            ))
            .await;
        let (x, y) = (at[0].as_f64().expect("x"), at[1].as_f64().expect("y"));
        let mouse = MouseActions::new("mouse".into())
            .then(PointerAction::MoveTo {
                duration: None,
                x,
                y,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        self.client
            .perform_actions(mouse)
            .await
            .unwrap_or_else(|e| panic!("click at {x}, {y}: {e}"));
    }

    /// A phone from here on: a 390×844 touch screen at 3× (a coarse pointer, as the agent
    /// reads it), until the browser closes. Pages loaded after this see it.
    pub async fn phone(&self) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": true}),
        )
        .await;
        self.cdp(
            "Emulation.setTouchEmulationEnabled",
            serde_json::json!({"enabled": true, "maxTouchPoints": 5}),
        )
        .await;
    }

    /// A real tap (touch start and end, trusted) at the middle of the element `css`,
    /// scrolled into view first.
    pub async fn tap(&self, css: &str) {
        let at = self
            .js(&format!(
                "var e = document.querySelector({css:?}); e.scrollIntoView({{block: 'nearest'}});\
                 var r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2];"
            ))
            .await;
        let (x, y) = (at[0].as_f64().expect("x"), at[1].as_f64().expect("y"));
        for kind in ["touchStart", "touchEnd"] {
            let points = if kind == "touchStart" {
                serde_json::json!([{"x": x, "y": y}])
            } else {
                serde_json::json!([])
            };
            self.cdp(
                "Input.dispatchTouchEvent",
                serde_json::json!({"type": kind, "touchPoints": points}),
            )
            .await;
        }
    }

    /// The browser's Back button; waits for the agent on the page shown.
    pub async fn back_to(&self, path: &str) {
        self.client.back().await.expect("Back");
        self.wait_path(path).await;
    }

    /// The browser's Forward button; waits for the agent on the page shown.
    pub async fn forward_to(&self, path: &str) {
        self.client.forward().await.expect("Forward");
        self.wait_path(path).await;
    }

    async fn wait_path(&self, path: &str) {
        self.wait_js(
            &format!("the page {path}"),
            &format!("return location.pathname === '{path}' && document.readyState === 'complete'"),
        )
        .await;
        self.wait_agent().await;
    }

    /// The pixels the prompt's panel covers of the element `css` (0 when clear of it).
    pub async fn prompt_covers(&self, css: &str) -> f64 {
        self.js(&format!(
            "var a = document.getElementById('lifeline-host').shadowRoot.querySelector('.panel').getBoundingClientRect();             var b = document.querySelector('{css}').getBoundingClientRect();             var x = Math.min(a.right, b.right) - Math.max(a.left, b.left), y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);             return x > 0 && y > 0 ? x * y : 0;"
        ))
        .await
        .as_f64()
        .expect("a number")
    }

    /// Types into the element `css`.
    pub async fn type_into(&self, css: &str, text: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// The prompt's title, if a prompt is on screen.
    pub async fn prompt_title(&self) -> Option<String> {
        self.js("var h = document.getElementById('lifeline-host'); var t = h && h.shadowRoot && h.shadowRoot.querySelector('h2'); return t ? t.textContent : null;")
            .await
            .as_str()
            .map(str::to_owned)
    }

    /// Waits for a prompt titled `title`.
    pub async fn wait_prompt(&self, title: &str) {
        let started = Instant::now();
        loop {
            if self.prompt_title().await.as_deref() == Some(title) {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no prompt {title:?} within 20 s (on screen: {:?})",
                self.prompt_title().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The control `css` of the prompt (inside its shadow root).
    async fn in_prompt(
        &self,
        css: &str,
    ) -> Result<fantoccini::elements::Element, fantoccini::error::CmdError> {
        let host = self
            .client
            .find(Locator::Id("lifeline-host"))
            .await
            .expect("a prompt on screen");
        let root = host.shadow_root().await.expect("its shadow root");
        root.find(Locator::Css(css)).await
    }

    /// Runs `script` (a function body) with `root`, the support panel's shadow root (null
    /// while no session is on screen), and returns its value.
    pub async fn support_js(&self, script: &str) -> serde_json::Value {
        self.js(&format!(
            "var h = document.getElementById('lifeline-host-support'); var root = h && h.shadowRoot; {script}"
        ))
        .await
    }

    /// Waits until `script` (with `root`, see [`Browser::support_js`]) answers true.
    pub async fn wait_support(&self, what: &str, script: &str) {
        self.wait_js(
            what,
            &format!(
                "var h = document.getElementById('lifeline-host-support'); var root = h && h.shadowRoot; {script}"
            ),
        )
        .await;
    }

    /// Clicks the control of the support panel whose text is `text` (a real click).
    pub async fn click_in_support(&self, text: &str) {
        let host = self
            .client
            .find(Locator::Id("lifeline-host-support"))
            .await
            .expect("a support session on screen");
        let root = host.shadow_root().await.expect("its shadow root");
        // Shadow roots take CSS only: the control is found by its text here.
        for e in root
            .find_all(Locator::Css("button, summary"))
            .await
            .expect("its controls")
        {
            if e.text().await.is_ok_and(|t| t.trim() == text) {
                return click_found(Ok(e), text).await;
            }
        }
        panic!("no control {text:?} in the support panel");
    }

    /// Types into a control of the prompt (inside its shadow root).
    pub async fn type_into_prompt(&self, css: &str, text: &str) {
        self.in_prompt(css)
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Clicks a control of the prompt (inside its shadow root).
    pub async fn click_in_prompt(&self, css: &str) {
        click_found(self.in_prompt(css).await, css).await;
    }

    /// Runs `script` (a function body) with `root`, the chat panel's shadow root (null
    /// while no chat is on the page), and returns its value.
    pub async fn chat_js(&self, script: &str) -> serde_json::Value {
        self.js(&format!(
            "var h = document.getElementById('lifeline-host-chat'); var root = h && h.shadowRoot; {script}"
        ))
        .await
    }

    /// Waits until `script` (with `root`, see [`Browser::chat_js`]) answers true.
    pub async fn wait_chat(&self, what: &str, script: &str) {
        self.wait_js(
            what,
            &format!(
                "var h = document.getElementById('lifeline-host-chat'); var root = h && h.shadowRoot; {script}"
            ),
        )
        .await;
    }

    async fn in_chat(
        &self,
        css: &str,
    ) -> Result<fantoccini::elements::Element, fantoccini::error::CmdError> {
        let host = self
            .client
            .find(Locator::Id("lifeline-host-chat"))
            .await
            .expect("a chat on the page");
        let root = host.shadow_root().await.expect("its shadow root");
        root.find(Locator::Css(css)).await
    }

    /// Types into a control of the chat (inside its shadow root); `\u{E007}` is Enter.
    pub async fn type_into_chat(&self, css: &str, text: &str) {
        self.in_chat(css)
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Clicks a control of the chat (inside its shadow root).
    pub async fn click_in_chat(&self, css: &str) {
        click_found(self.in_chat(css).await, css).await;
    }

    /// Saves a screenshot as `target/e2e/NAME.png`, for a person to look at.
    pub async fn screenshot(&self, name: &str) {
        // Let the prompt's entrance animation (0.18 s) finish.
        tokio::time::sleep(Duration::from_millis(400)).await;
        let png = self.client.screenshot().await.expect("a screenshot");
        let dir = root().join("target/e2e");
        std::fs::create_dir_all(&dir).expect("target/e2e");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("the screenshot written");
    }

    /// What the agent's debug log said on this page (see [`Shop::debug`]).
    pub async fn debug_log(&self) -> Vec<String> {
        serde_json::from_value(self.js("return window.__info || []").await).unwrap_or_default()
    }

    /// Sends a DevTools command to the page (through chromedriver) and returns its result.
    pub async fn cdp(&self, cmd: &str, params: serde_json::Value) -> serde_json::Value {
        self.try_cdp(cmd, params)
            .await
            .unwrap_or_else(|e| panic!("DevTools {cmd}: {e}"))
    }

    /// A DevTools command that may be refused: its answer, or what DevTools said.
    pub async fn try_cdp(
        &self,
        cmd: &str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        self.client
            .issue_cmd(Cdp(cmd.to_owned(), params))
            .await
            .map_err(|e| e.to_string())
    }

    /// The viewport as a window of `width`×`height` at `zoom` (2.0 is 200 %): the page
    /// gets width/zoom × height/zoom CSS pixels, as browser zoom gives it.
    pub async fn viewport(&self, width: u32, height: u32, zoom: f64) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({"width": (f64::from(width) / zoom).round(), "height": (f64::from(height) / zoom).round(),
                "deviceScaleFactor": zoom, "mobile": false}),
        )
        .await;
    }

    /// Emulates `prefers-reduced-motion: reduce` and `forced-colors: active` (or neither).
    pub async fn reduced_motion_and_forced_colours(&self, on: bool) {
        let value = |v: &str| if on { v.to_owned() } else { String::new() };
        self.cdp(
            "Emulation.setEmulatedMedia",
            serde_json::json!({"features": [
                {"name": "prefers-reduced-motion", "value": value("reduce")},
                {"name": "forced-colors", "value": value("active")}]}),
        )
        .await;
    }

    /// axe-core's violations of WCAG 2.2 A and AA on the page as it is now (open shadow
    /// roots included), one line each: rule, impact and where.
    pub async fn axe(&self) -> Vec<String> {
        static AXE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let source = AXE.get_or_init(|| {
            std::fs::read_to_string(root().join(".tools/node_modules/axe-core/axe.min.js"))
                .expect("axe-core (make setup installs it into .tools/)")
        });
        if self.js("return typeof window.axe").await != "object" {
            self.client
                .execute(source, vec![])
                .await
                .expect("axe-core loads");
        }
        let result = self
            .client
            .execute_async(
                "var done = arguments[arguments.length - 1];\
                 axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},\
                   resultTypes: ['violations']})\
                 .then(function (r) { done(r.violations.map(function (v) {\
                   return v.id + ' (' + v.impact + '): ' + v.nodes.map(function (n) { return JSON.stringify(n.target) + ' ' + n.failureSummary.replace(/\\s+/g, ' '); }).join(' | ');\
                 })); }, function (e) { done(['axe failed: ' + e]); });",
                vec![],
            )
            .await
            .expect("axe runs");
        serde_json::from_value(result).unwrap_or_default()
    }

    /// Ends the session and chromedriver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
