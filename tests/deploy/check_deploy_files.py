#!/usr/bin/python3
"""Checks the container and Kubernetes files of deploy/ as far as this machine
can without Docker or a cluster:

- every YAML file parses, and every Kubernetes object has apiVersion, kind
  and metadata.name;
- every file the compose file mounts or builds from exists in the repository;
- the settings in the Kubernetes ConfigMap pass `pipelined --check-config`,
  and the scrape job in it passes `promtool check config`;
- the runtime image installs the Debian package of every shared library the
  built binaries link directly (objdump NEEDED -> dpkg -S), so the image does
  not start with a missing library;
- the Dockerfile copies only paths that exist, and its dockerignore file
  keeps out of the build context everything .gitignore keeps out of git
  (local build trees, the demo's store).

Usage: check_deploy_files.py REPO_ROOT PIPELINED_BINARY PROMTOOL BINARY...
"""
import os
import re
import subprocess
import sys
import tempfile

import yaml

failures = []


def fail(message):
    failures.append(message)
    print("FAIL:", message)


def check_compose(root):
    path = os.path.join(root, "deploy/docker/compose.yaml")
    with open(path) as f:
        compose = yaml.safe_load(f)
    base = os.path.dirname(path)
    for name, service in compose["services"].items():
        build = service.get("build")
        if build:
            context = os.path.normpath(os.path.join(base, build["context"]))
            if not os.path.isfile(os.path.join(context, build["dockerfile"])):
                fail(f"compose service {name}: no {build['dockerfile']} in {context}")
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                if not os.path.exists(os.path.normpath(os.path.join(base, source))):
                    fail(f"compose service {name} mounts {source}, which does not exist")
            elif source not in compose.get("volumes", {}):
                fail(f"compose service {name} uses undeclared volume {source}")
        for dependency in service.get("depends_on", {}):
            if dependency not in compose["services"]:
                fail(f"compose service {name} depends on unknown service {dependency}")


def check_kubernetes(root, pipelined, promtool):
    directory = os.path.join(root, "deploy/kubernetes")
    with open(os.path.join(directory, "kustomization.yaml")) as f:
        listed = set(yaml.safe_load(f)["resources"])
    present = {n for n in os.listdir(directory) if n.endswith(".yaml") and n != "kustomization.yaml"}
    if listed != present:
        fail(f"kustomization.yaml lists {sorted(listed)} but the folder has {sorted(present)}")
    for name in sorted(present):
        with open(os.path.join(directory, name)) as f:
            for document in yaml.safe_load_all(f):
                for key in ("apiVersion", "kind"):
                    if key not in document:
                        fail(f"{name}: an object without {key}")
                if not document.get("metadata", {}).get("name"):
                    fail(f"{name}: an object without metadata.name")
                if document.get("kind") == "ConfigMap":
                    check_config_map(name, document, pipelined, promtool)


def check_config_map(name, config_map, pipelined, promtool):
    with tempfile.TemporaryDirectory() as scratch:
        for key, text in config_map["data"].items():
            path = os.path.join(scratch, key)
            with open(path, "w") as f:
                f.write(text)
            if key == "pipelined.yaml":
                command = [pipelined, "--check-config", "--config.file=" + path]
            elif key.endswith(".yml") and "scrape_configs" in text:
                command = [promtool, "check", "config", path]
            else:
                continue
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                fail(f"{name} {key}: {' '.join(command[:3])} failed:\n{result.stdout}{result.stderr}")
            else:
                print(f"ok: {name} {key} passes {os.path.basename(command[0])}")


def runtime_packages(dockerfile_text):
    runtime = dockerfile_text.split("FROM debian:12-slim", 1)[1]
    install = re.search(r"apt-get install[^\\]*\\(.*?)&&", runtime, re.S).group(1)
    return set(re.findall(r"[a-z0-9][a-z0-9.+-]+", install.replace("\\", " ")))


def check_dockerfile(root, binaries):
    path = os.path.join(root, "deploy/docker/Dockerfile")
    with open(path) as f:
        text = f.read()
    for source in re.findall(r"^COPY (?!--from)(\S+)", text, re.M):
        if source != "." and not os.path.exists(os.path.join(root, source)):
            fail(f"Dockerfile copies {source}, which does not exist")
    installed = runtime_packages(text)
    base = {"libc6", "libstdc++6", "libgcc-s1"}  # in every Debian image
    for binary in binaries:
        objdump = subprocess.run(["objdump", "-p", binary], capture_output=True, text=True, check=True)
        for library in re.findall(r"NEEDED\s+(\S+)", objdump.stdout):
            if re.match(r"lib(a|ub|l|t)san\.", library):
                continue  # a sanitizer build; the image is built without
            found = subprocess.run(["dpkg", "-S", library], capture_output=True, text=True)
            packages = {line.split(":")[0] for line in found.stdout.splitlines() if "-dev" not in line.split(":")[0]}
            if not packages:
                fail(f"{os.path.basename(binary)} needs {library}, which no installed package provides")
            elif not packages & (installed | base):
                fail(f"{os.path.basename(binary)} needs {library} from {sorted(packages)}, "
                     f"not installed in the runtime image")
    print(f"ok: runtime image installs {len(installed)} packages for {len(binaries)} binaries")


def ignore_patterns(path, unanchored_prefix):
    """The patterns of an ignore file, each as a path pattern from the root."""
    patterns = set()
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or line.startswith("!"):
                continue
            line = line.rstrip("/")
            if line.startswith("/"):
                patterns.add(line[1:])
            elif "/" in line:
                patterns.add(line)
            else:
                patterns.add(unanchored_prefix + line)
    return patterns


def check_dockerignore(root):
    # .gitignore: "/build/" is the root's build, "__pycache__/" one at any depth.
    # .dockerignore: "build" is the root's build, "**/__pycache__" any depth.
    ignored_by_git = ignore_patterns(os.path.join(root, ".gitignore"), "**/")
    path = os.path.join(root, "deploy/docker/Dockerfile.dockerignore")
    if not os.path.isfile(path):
        fail("deploy/docker/Dockerfile.dockerignore is missing: the build context would hold the build trees")
        return
    ignored_by_docker = ignore_patterns(path, "")
    for pattern in sorted(ignored_by_git - ignored_by_docker):
        fail(f"Dockerfile.dockerignore does not exclude {pattern}, which .gitignore does")


def main():
    root, pipelined, promtool = sys.argv[1:4]
    binaries = sys.argv[4:]
    check_compose(root)
    check_kubernetes(root, pipelined, promtool)
    check_dockerfile(root, binaries)
    check_dockerignore(root)
    if failures:
        sys.exit(f"{len(failures)} problem(s) in deploy/docker and deploy/kubernetes")
    print("deploy files OK")


if __name__ == "__main__":
    main()
