//! `postkit init [DIR]`.

use crate::cli::InitArgs;
use crate::{fail, OK};

pub fn run(args: InitArgs) -> u8 {
    match postkit::scaffold::init(&args.dir) {
        Ok(files) => {
            for f in files {
                out!("{}", f.display());
            }
            let book = args.dir.join("batch.xlsx");
            eprintln!(
                "postkit: fill in {} (or batch.csv) and run: postkit batch {}",
                book.display(),
                book.display()
            );
            OK
        }
        Err(e) => fail(&e),
    }
}
