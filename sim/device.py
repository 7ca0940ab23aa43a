"""Phones: their OS, app build, Apple ID, network and camera permission."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Platform(StrEnum):
    IOS = "ios"
    ANDROID = "android"


class CameraPermission(StrEnum):
    NOT_ASKED = "not_asked"
    ALLOWED = "allowed"
    DENIED = "denied"


# The operating systems ask in their own words (000 "Notes:"): camera access on iOS,
# taking pictures and recording video on Android.
CAMERA_PROMPT = {
    Platform.IOS: '"Authenticator" Would Like to Access the Camera',
    Platform.ANDROID: "Allow Authenticator to take pictures and record video?",
}


@dataclass
class Device:
    id: str
    person_id: str
    platform: Platform
    app_version: str
    name: str
    apple_id: str | None = None  # iCloud user signed in on this iPhone
    online: bool = True
    camera: CameraPermission = CameraPermission.NOT_ASKED
    camera_prompt_showing: bool = False
    # Private push keys made on this phone, by app entry id. They never leave it.
    push_keys: dict[str, bytes] = field(default_factory=dict)

    def camera_prompt(self) -> str | None:
        return CAMERA_PROMPT[self.platform] if self.camera_prompt_showing else None
