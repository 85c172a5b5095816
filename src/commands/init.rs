//! `postkit init [DIR]`.

use crate::cli::InitArgs;
use crate::{fail, OK};

pub fn run(args: InitArgs) -> u8 {
    match postkit::scaffold::init(&args.dir) {
        Ok(files) => {
            for f in files {
                out!("{}", f.display());
            }
            eprintln!(
                "postkit: fill in {} and run: postkit batch {}",
                args.dir.join("batch.csv").display(),
                args.dir.join("batch.csv").display()
            );
            OK
        }
        Err(e) => fail(&e),
    }
}
