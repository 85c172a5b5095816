//! `postkit serve`: the page and the API, until SIGTERM.

use std::sync::Arc;
use std::time::Duration;

use postkit::serve::{self, Options};
use postkit::{Campaign, Platforms};

use crate::cli::ServeArgs;
use crate::{fail, OK};

pub fn run(args: ServeArgs) -> u8 {
    let mut opts = match Options::embedded() {
        Ok(o) => o,
        Err(e) => return fail(&e),
    };
    match Campaign::load(&args.campaign) {
        Ok(c) => opts.campaign = c,
        Err(e) => return fail(&e),
    }
    match Platforms::load_or_embedded(args.platforms.as_deref()) {
        Ok(p) => opts.presets = p,
        Err(e) => return fail(&e),
    }
    if let Some(dir) = &args.template_dir {
        if let Err(e) = opts.add_template_dir(dir) {
            return fail(&e);
        }
    }
    opts.workers = args.workers.unwrap_or(0);
    opts.max_requests = args.max_requests;
    opts.request_timeout = Duration::from_secs(args.request_timeout.max(1));
    opts.read_timeout = Duration::from_secs(args.read_timeout.max(1));
    opts.header_timeout = Duration::from_secs(args.header_timeout.max(1));
    opts.idle_timeout = Duration::from_secs(args.idle_timeout.max(1));
    opts.max_connections = args.max_connections;
    opts.drain_delay = Duration::from_secs(args.drain_delay);
    opts.asset_links = args.asset_links;
    opts.limits.body = args.max_body_mb.max(1) << 20;
    opts.limits.image = args.max_image_mb.max(1) << 20;
    opts.log = Arc::new(|line| eprintln!("postkit: {line}"));
    // As many servers do: the soft open-file limit up to the hard one, so
    // that the connection cap (set from it) is as high as allowed.
    serve::raise_open_file_limit();
    let result = serve::run(&args.bind, opts, &args.font, |at| {
        out!(
            "postkit: serving on http://{}/ ({} render slots, up to {} connections)",
            at.addr,
            at.render_slots,
            at.connections
        );
    });
    match result {
        Ok(()) => OK,
        Err(e) => fail(&e),
    }
}
