//! The outbox and session storage in a real browser's localStorage and cookie jar.
#![cfg(target_arch = "wasm32")]

use leptos_passage::profile_outbox::{PendingProfile, ProfileOutbox, OUTBOX_KEY};
use leptos_passage::session;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

fn ada() -> PendingProfile {
    PendingProfile { identifier: "ada@example.com".into(), name: "Ada Lovelace".into() }
}

#[wasm_bindgen_test]
fn write_read_clear() {
    let outbox = ProfileOutbox::local().unwrap();
    outbox.clear();
    assert_eq!(outbox.read(), None);
    outbox.write(&ada()).unwrap();
    assert_eq!(outbox.read(), Some(ada()));
    outbox.write(&PendingProfile { name: "Ada King".into(), ..ada() }).unwrap();
    assert_eq!(outbox.read().unwrap().name, "Ada King", "the latest attempt replaces the entry");
    outbox.clear();
    assert_eq!(outbox.read(), None);
    assert_eq!(storage().get_item(OUTBOX_KEY).unwrap(), None);
}

#[wasm_bindgen_test]
fn survives_a_new_instance() {
    ProfileOutbox::local().unwrap().write(&ada()).unwrap();
    // A reload or another tab creates a fresh instance over the same storage.
    let later = ProfileOutbox::local().unwrap();
    assert_eq!(later.read(), Some(ada()));
    later.clear();
}

#[wasm_bindgen_test]
fn corrupted_entry_is_dropped() {
    storage().set_item(OUTBOX_KEY, "{\"identifier\":\"ada@example.com\",\"name\":").unwrap();
    let outbox = ProfileOutbox::local().unwrap();
    assert_eq!(outbox.read(), None);
    assert_eq!(storage().get_item(OUTBOX_KEY).unwrap(), None, "a corrupted entry is removed, not kept forever");
    storage().set_item(OUTBOX_KEY, "[1,2,3]").unwrap();
    assert_eq!(outbox.read(), None);
}

#[wasm_bindgen_test]
fn auth_token_comes_from_the_cookie_then_local_storage() {
    session::clear();
    assert_eq!(session::auth_token(), None);
    storage().set_item("psg_auth_token", "from.local.storage").unwrap();
    assert_eq!(session::auth_token().as_deref(), Some("from.local.storage"));

    // The runner serves http://127.0.0.1, where the cookie is set without Secure.
    let token = "eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2ln"; // exp = 2100-01-01
    assert!(session::store_auth_cookie(token));
    assert_eq!(session::auth_token().as_deref(), Some(token), "the cookie wins");
    assert!(!session::store_auth_cookie("not a jwt; Domain=evil.example"));
    session::clear();
}

#[wasm_bindgen_test]
fn sign_out_clears_element_keys_and_the_outbox_only() {
    let storage = storage();
    for key in ["psg_auth_token", "psg_refresh_token", "psg_last_login", "psg_cred_obj"] {
        storage.set_item(key, "x").unwrap();
    }
    storage.set_item("unrelated_key", "keep me").unwrap();
    ProfileOutbox::local().unwrap().write(&ada()).unwrap();
    assert!(session::store_auth_cookie("a.b.c"));
    assert_eq!(session::refresh_token().as_deref(), Some("x"));

    session::clear();
    for key in ["psg_auth_token", "psg_refresh_token", "psg_last_login", "psg_cred_obj"] {
        assert_eq!(storage.get_item(key).unwrap(), None, "{key}");
    }
    assert_eq!(ProfileOutbox::local().unwrap().read(), None);
    assert_eq!(storage.get_item("unrelated_key").unwrap().as_deref(), Some("keep me"));
    assert_eq!(session::auth_token(), None, "cookie removed too");
    storage.remove_item("unrelated_key").unwrap();
}
