//! The SPA's languages in the browser: choosing from `navigator.languages`, the picker (kept in localStorage,
//! applied without a reload), `<html lang dir>`, the element's `lang` following a switch with the typed name kept,
//! and plural forms from `Intl.PluralRules`. Locale files are served by the fetch stub, from the real files.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use leptos_passage::browser::local_storage;
use leptos_passage::components::language_picker::LanguagePicker;
use leptos_passage::i18n::{self, Lang, Msg, STORAGE_KEY};
use leptos_passage::pages::register::RegisterPage;
use leptos_router::components::Router;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod common;
use common::fetch_stub::{install_fetch_stub, stub_calls, stub_config, stub_reply};
use common::{define_fixture, until};

#[wasm_bindgen(inline_js = r#"
export function set_navigator_languages(list) {
  Object.defineProperty(navigator, "languages", { get: () => list, configurable: true });
}
"#)]
extern "C" {
    fn set_navigator_languages(list: js_sys::Array);
}

fn prefer(tags: &[&str]) {
    set_navigator_languages(tags.iter().map(|tag| JsValue::from_str(tag)).collect());
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn html_attr(name: &str) -> Option<String> {
    document().document_element().unwrap().get_attribute(name)
}

/// Serves `lang`'s real locale file at the URL the SPA fetches it from.
fn serve(lang: Lang, body: &str) {
    stub_reply("GET", &i18n::catalog_url(lang), 200, body, 0);
}

const DE: &str = include_str!("../locales/spa/de.json");
const FR: &str = include_str!("../locales/spa/fr.json");
const AR: &str = include_str!("../locales/spa/ar.json");
const PL: &str = include_str!("../locales/spa/pl.json");

/// Back to English with nothing stored, so tests do not depend on their order.
async fn reset() {
    local_storage().unwrap().remove_item(STORAGE_KEY).unwrap();
    i18n::switch_to(Lang::En).await;
}

#[wasm_bindgen_test]
async fn first_supported_preference_wins_unless_a_choice_is_stored() {
    reset().await;
    prefer(&["zh-TW", "pt-PT", "en"]);
    assert_eq!(i18n::initial_lang(), Lang::PtBr, "Traditional Chinese is skipped, pt-PT is Brazilian Portuguese");
    prefer(&["zh-HK", "sv", "fr-CA"]);
    assert_eq!(i18n::initial_lang(), Lang::Fr);
    prefer(&["zh-Hans-SG"]);
    assert_eq!(i18n::initial_lang(), Lang::ZhCn);
    prefer(&["sv", "fi"]);
    assert_eq!(i18n::initial_lang(), Lang::En);
    // The picker's stored choice beats the browser's list; a stored value that is not a language does not.
    local_storage().unwrap().set_item(STORAGE_KEY, "ko").unwrap();
    assert_eq!(i18n::initial_lang(), Lang::Ko);
    local_storage().unwrap().set_item(STORAGE_KEY, "klingon").unwrap();
    prefer(&["de-CH"]);
    assert_eq!(i18n::initial_lang(), Lang::De);
    reset().await;
}

#[wasm_bindgen_test]
async fn start_applies_the_negotiated_language() {
    reset().await;
    install_fetch_stub();
    serve(Lang::De, DE);
    prefer(&["de-AT", "en"]);
    i18n::start().await;
    assert_eq!(i18n::lang(), Lang::De);
    assert_eq!(i18n::t("login.title"), "Anmelden");
    assert_eq!(html_attr("lang").as_deref(), Some("de"));
    assert_eq!(local_storage().unwrap().get_item(STORAGE_KEY).unwrap(), None, "negotiation is not a choice");
    prefer(&["en-US"]);
    reset().await;
}

#[wasm_bindgen_test]
async fn picker_choice_is_applied_in_place_and_remembered() {
    reset().await;
    install_fetch_stub();
    serve(Lang::Fr, FR);
    let parent: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&parent).unwrap();
    let mounted = leptos::mount::mount_to(parent.clone(), || {
        view! { <h1>{i18n::text("login.title")}</h1> <LanguagePicker /> }
    });
    let select: web_sys::HtmlSelectElement = parent.query_selector("select").unwrap().unwrap().unchecked_into();
    let label = parent.query_selector("label[for=language-picker]").unwrap().unwrap();
    assert_eq!(label.text_content().as_deref(), Some("Language"), "a labelled <select>");
    assert_eq!(select.options().length(), 12);
    assert_eq!(select.value(), "en");

    select.set_value("fr");
    select.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    let heading = parent.query_selector("h1").unwrap().unwrap();
    until("French texts", || heading.text_content().as_deref() == Some("Connexion")).await;
    assert_eq!(label.text_content().as_deref(), Some("Langue"));
    assert_eq!(local_storage().unwrap().get_item(STORAGE_KEY).unwrap().as_deref(), Some("fr"));
    assert_eq!(i18n::initial_lang(), Lang::Fr, "the next visit starts in French");
    assert_eq!((html_attr("lang").as_deref(), html_attr("dir").as_deref()), (Some("fr"), Some("ltr")));
    assert_eq!(stub_calls("GET", &i18n::catalog_url(Lang::Fr)), 1);

    // Back and forth: each file is fetched once per page.
    i18n::choose(Lang::En).await;
    until("English again", || heading.text_content().as_deref() == Some("Sign in")).await;
    assert_eq!(select.value(), "en");
    i18n::choose(Lang::Fr).await;
    until("French again", || heading.text_content().as_deref() == Some("Connexion")).await;
    assert_eq!(stub_calls("GET", &i18n::catalog_url(Lang::Fr)), 1);

    drop(mounted);
    parent.remove();
    reset().await;
}

#[wasm_bindgen_test]
async fn a_missing_locale_file_keeps_the_current_language() {
    reset().await;
    install_fetch_stub();
    stub_reply("GET", &i18n::catalog_url(Lang::It), 404, "", 0);
    i18n::choose(Lang::It).await;
    assert_eq!(i18n::lang(), Lang::En);
    assert_eq!(i18n::t("login.title"), "Sign in");
    assert_eq!(html_attr("lang").as_deref(), Some("en"));
    reset().await;
}

#[wasm_bindgen_test]
async fn arabic_is_right_to_left() {
    reset().await;
    install_fetch_stub();
    serve(Lang::Ar, AR);
    i18n::choose(Lang::Ar).await;
    assert_eq!((html_attr("lang").as_deref(), html_attr("dir").as_deref()), (Some("ar"), Some("rtl")));
    let probe = document().create_element("p").unwrap();
    document().body().unwrap().append_child(&probe).unwrap();
    let style = web_sys::window().unwrap().get_computed_style(&probe).unwrap().unwrap();
    assert_eq!(style.get_property_value("direction").unwrap(), "rtl", "the layout follows <html dir>");
    probe.remove();
    assert_eq!(i18n::t("common.sign_out"), "تسجيل الخروج");
    reset().await;
    assert_eq!((html_attr("lang").as_deref(), html_attr("dir").as_deref()), (Some("en"), Some("ltr")));
}

#[wasm_bindgen_test]
async fn the_element_follows_a_switch_and_the_typed_name_stays() {
    reset().await;
    install_fetch_stub();
    serve(Lang::De, DE);
    define_fixture("passage-register");
    let parent: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&parent).unwrap();
    let mounted = leptos::mount::mount_to(parent.clone(), || {
        provide_context(stub_config());
        view! { <Router><RegisterPage /></Router> }
    });
    until("the element", || parent.query_selector("passage-register").unwrap().is_some()).await;
    let element = parent.query_selector("passage-register").unwrap().unwrap();
    assert_eq!(element.get_attribute("lang").as_deref(), Some("en"));
    until("the name field", || parent.query_selector("#name-input").unwrap().is_some()).await;
    let input: web_sys::HtmlInputElement = parent.query_selector("#name-input").unwrap().unwrap().unchecked_into();
    input.set_value("Ada Lovelace");
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();

    i18n::choose(Lang::De).await;
    until("the element's lang", || element.get_attribute("lang").as_deref() == Some("de")).await;
    let label = parent.query_selector("label[for=name-input]").unwrap().unwrap();
    assert_eq!(label.text_content().as_deref(), Some("Ihr Name"));
    assert_eq!(parent.query_selector("h1").unwrap().unwrap().text_content().as_deref(), Some("Konto erstellen"));
    let same_element = parent.query_selector("passage-register").unwrap().unwrap();
    assert!(same_element.is_same_node(Some(&element)), "switched in place, not re-created");
    let same_input: web_sys::HtmlInputElement = parent.query_selector("#name-input").unwrap().unwrap().unchecked_into();
    assert_eq!(same_input.value(), "Ada Lovelace", "the typed name survives the switch");
    // The link in the footer sits where the German sentence puts it, with its German words.
    let footer = parent.query_selector(".switch-page").unwrap().unwrap();
    assert_eq!(footer.text_content().as_deref(), Some("Sie haben schon ein Konto? Anmelden"));

    drop(mounted);
    parent.remove();
    reset().await;
}

#[wasm_bindgen_test]
async fn plural_forms_come_from_intl_plural_rules() {
    assert_eq!(i18n::plural_category(Lang::Pl, 1.0), "one");
    assert_eq!(i18n::plural_category(Lang::Pl, 2.0), "few");
    assert_eq!(i18n::plural_category(Lang::Pl, 5.0), "many");
    assert_eq!(i18n::plural_category(Lang::Pl, 22.0), "few");
    assert_eq!(i18n::plural_category(Lang::Ar, 2.0), "two");
    assert_eq!(i18n::plural_category(Lang::Ja, 1.0), "other");
    assert_eq!(i18n::plural_category(Lang::En, 1.0), "one");

    reset().await;
    install_fetch_stub();
    serve(Lang::Pl, PL);
    i18n::choose(Lang::Pl).await;
    let passkeys = |n| i18n::tr(&Msg::new("delete.line.passkeys").count(n));
    assert_eq!(passkeys(1), "Twój klucz dostępu");
    assert_eq!(passkeys(2), "Twoje 2 klucze dostępu");
    assert_eq!(passkeys(5), "Twoich 5 kluczy dostępu");
    assert_eq!(passkeys(22), "Twoje 22 klucze dostępu");
    reset().await;
    assert_eq!(passkeys(1), "your passkey");
    assert_eq!(passkeys(5), "your 5 passkeys");
}
