"""Front-end libraries, installed from the npm registry by `make install` (`npm ci`) into
node_modules/ and served from /static/vendor/. Nothing third-party is committed."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from service.resources import resource_dir

STATIC = Path(__file__).resolve().parent / "static"

# URL path under /static/vendor -> directory inside node_modules
VENDOR = {
    "yasgui": "@zazuko/yasgui/build",
    "swagger-ui": "swagger-ui-dist",
    "cytoscape": "cytoscape/dist",
}


def node_modules() -> Path:
    return resource_dir("node_modules")


def vendor_dir(name: str) -> Path | None:
    directory = node_modules() / VENDOR[name]
    return directory if directory.is_dir() else None


def mount_vendor_assets(app: FastAPI) -> None:
    # ES modules must be served as JavaScript; not every system's MIME table knows .mjs
    mimetypes.add_type("text/javascript", ".mjs")
    for name in VENDOR:
        directory = vendor_dir(name)
        if directory is not None:
            app.mount(f"/static/vendor/{name}", StaticFiles(directory=directory), name=f"vendor-{name}")
