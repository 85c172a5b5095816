//! deploy/: the Kubernetes manifests are valid against the Kubernetes
//! schemas and true to the binary (scripts/check-deploy.py: the
//! Deployment's arguments start a server whose probes answer; the Indexed
//! Job's render a sheet in shards that the merge Job's merge; the pod
//! failure policy does not retry the bad-rows exit code).
//!
//! Needs the venv .ci/run makes, with kubernetes-validate (from PyPI):
//! `python3 -m venv /tmp/postkit-venv && /tmp/postkit-venv/bin/pip install kubernetes-validate`
//! (another venv: set POSTKIT_VENV).

mod common;

use common::root;

#[test]
fn the_kubernetes_manifests_are_valid_and_true_to_the_binary() {
    let venv = std::env::var("POSTKIT_VENV").unwrap_or_else(|_| "/tmp/postkit-venv".into());
    let python = std::path::Path::new(&venv).join("bin/python3");
    assert!(
        python.is_file(),
        "{} is missing: run .ci/run, or make the venv with kubernetes-validate (see this file's header)",
        python.display()
    );
    let out = std::process::Command::new(&python)
        .arg(root().join("scripts/check-deploy.py"))
        .arg(env!("CARGO_BIN_EXE_postkit"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("No module named"),
        "the venv at {venv} lacks kubernetes-validate: {stderr}"
    );
    assert!(out.status.success(), "{stderr}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("manifests valid for Kubernetes 1.30.0"),
        "{stderr}"
    );
}
