//! The binary Trunk builds: mounts the app.

fn main() {
    // Readable panic messages while developing; release builds leave the hook (and its formatting code) out.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos_passage::mount();
}
