//! A stand-in for `window.fetch`: scripted replies per "METHOD url", and a record of the requests. Below the unit
//! under test (the SPA's own request code runs unchanged), so the browser tests need no servers.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
export function install_fetch_stub() {
  if (!globalThis.__realFetch) globalThis.__realFetch = globalThis.fetch;
  const stub = { replies: new Map(), calls: [] };
  globalThis.__fetchStub = stub;
  globalThis.fetch = async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const body = ["GET", "HEAD"].includes(request.method) ? "" : await request.clone().text();
    const key = request.method + " " + request.url;
    stub.calls.push({ key, body, authorization: request.headers.get("authorization") || "" });
    const queue = stub.replies.get(key);
    if (!queue || queue.length === 0) {
      return new Response(JSON.stringify({ code: "no_stub", error: "no stub for " + key }), { status: 418 });
    }
    // The last reply repeats; earlier ones are used once each, in order.
    const reply = queue.length > 1 ? queue.shift() : queue[0];
    if (reply.delay) await new Promise((resolve) => setTimeout(resolve, reply.delay));
    if (reply.status === 0) throw new TypeError("Failed to fetch");
    return new Response(reply.status === 204 ? null : reply.body, {
      status: reply.status,
      headers: { "content-type": "application/json" },
    });
  };
}
export function stub_reply(method, url, status, body, delay) {
  const key = method + " " + url;
  const replies = globalThis.__fetchStub.replies;
  if (!replies.has(key)) replies.set(key, []);
  replies.get(key).push({ status, body, delay });
}
function calls(method, url) {
  return globalThis.__fetchStub.calls.filter((call) => call.key === method + " " + url);
}
export function stub_calls(method, url) { return calls(method, url).length; }
export function stub_last_body(method, url) { return calls(method, url).at(-1)?.body ?? ""; }
export function stub_authorizations(method, url) { return calls(method, url).map((c) => c.authorization).join("\n"); }
"#)]
extern "C" {
    /// Replaces `window.fetch` with the stub and forgets earlier replies and calls.
    pub fn install_fetch_stub();
    /// Queues a reply for `method url`; status 0 is a network error; `delay` in ms.
    pub fn stub_reply(method: &str, url: &str, status: u16, body: &str, delay: u32);
    /// How many requests went to `method url`.
    pub fn stub_calls(method: &str, url: &str) -> u32;
    pub fn stub_last_body(method: &str, url: &str) -> String;
    /// The `Authorization` headers sent to `method url`, one a line.
    pub fn stub_authorizations(method: &str, url: &str) -> String;
}

/// An unsigned JWT (the SPA reads only `exp`) expiring `seconds` from now; `tag` tells tokens apart.
pub fn token_expiring_in(seconds: i64, tag: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let exp = (js_sys::Date::now() / 1000.0) as i64 + seconds;
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT","kid":"k1"}"#);
    let payload = URL_SAFE_NO_PAD.encode(format!(r#"{{"sub":"u1","sid":"{tag}","exp":{exp}}}"#));
    format!("{header}.{payload}.c2ln")
}

/// The configuration the stubbed URLs belong to (`http://auth.test`, `http://api.test`, app `dev-app`).
pub fn stub_config() -> leptos_passage::config::AppConfig {
    leptos_passage::config::AppConfig {
        app_id: "dev-app".into(),
        auth_url: "http://auth.test".into(),
        api_url: "http://api.test".into(),
        elements_url: "http://localhost:1/unused".into(),
        locales_url: "http://auth.test/locales".into(),
        branding: Default::default(),
    }
}
