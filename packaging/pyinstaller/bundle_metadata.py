"""What the frozen build tells macOS and Windows about itself (used by ``lprof-viewer.spec``).

Kept apart from the spec so the tests can check it on any system: the Info.plist that
makes Finder open ``.lprof`` files in the app, and the Windows version resource.
"""

from __future__ import annotations

import re
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent.parent
APP_NAME = "lprof-viewer"
DESCRIPTION = "Viewer for line_profiler results"
# Bundle ids and UTIs allow letters, digits, '-' and '.' (no '_', unlike the Linux app id).
BUNDLE_ID = "io.github.lprof-viewer.LprofViewer"
LPROF_UTI = "io.github.lprof-viewer.lprof"
DOCUMENT_NAME = "line_profiler results"


def project_version() -> str:
    """The version in ``pyproject.toml``."""
    with (ROOT / "pyproject.toml").open("rb") as stream:
        return str(tomllib.load(stream)["project"]["version"])


def macos_info_plist(version: str) -> dict:
    """Info.plist entries: the app's names and version, and ``.lprof`` as its document."""
    return {
        "CFBundleName": APP_NAME,
        "CFBundleDisplayName": APP_NAME,
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
        "NSHighResolutionCapable": True,
        "NSPrincipalClass": "NSApplication",
        "CFBundleDocumentTypes": [
            {
                "CFBundleTypeName": DOCUMENT_NAME,
                "CFBundleTypeRole": "Viewer",
                "LSHandlerRank": "Owner",
                "LSItemContentTypes": [LPROF_UTI],
                "CFBundleTypeIconFile": "lprof-viewer.icns",
            }
        ],
        # Nobody else declares .lprof, so the app exports the type it opens.
        "UTExportedTypeDeclarations": [
            {
                "UTTypeIdentifier": LPROF_UTI,
                "UTTypeDescription": DOCUMENT_NAME,
                "UTTypeConformsTo": ["public.data"],
                "UTTypeIconFile": "lprof-viewer.icns",
                "UTTypeTagSpecification": {"public.filename-extension": ["lprof"]},
            }
        ],
    }


def windows_version_text(version: str) -> str:
    """The version resource, in the text form PyInstaller's ``EXE(version=FILE)`` reads."""
    numbers = [int(n) for n in re.findall(r"\d+", version)[:4]]
    numbers += [0] * (4 - len(numbers))
    four = tuple(numbers)
    strings = {
        "CompanyName": APP_NAME,
        "FileDescription": DESCRIPTION,
        "FileVersion": version,
        "InternalName": APP_NAME,
        "OriginalFilename": f"{APP_NAME}.exe",
        "ProductName": APP_NAME,
        "ProductVersion": version,
    }
    table = ",\n          ".join(f"StringStruct({k!r}, {v!r})" for k, v in strings.items())
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={four}, prodvers={four}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([
      StringTable('040904B0', [
          {table}])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""
