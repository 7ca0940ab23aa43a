"""Mutants of the camera permission asked before a scan (camera.feature)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from authconform.alterations.mutants.registry import mutant
from authconform.alterations.patching import (
    on_each_device,
    swapped,
    wrap_app,
)
from sim.app import Authenticator
from sim.device import CAMERA_PROMPT, CameraPermission, Platform
from sim.refusals import Code, Done, Refusal
from sim.world import World


@mutant("no_camera_prompt", "REQ-CAMERA-01",
        "the first scan uses the camera without asking for permission")
def _no_camera_prompt(world: World) -> None:
    def _camera_read(app: Authenticator, original: Callable[[bytes], str],
                     image: bytes) -> str:
        if app.device.camera is CameraPermission.NOT_ASKED:
            app.device.camera = CameraPermission.ALLOWED
        return original(image)

    wrap_app(world, "_camera_read", _camera_read)


@mutant("recovery_scan_skips_prompt", "REQ-CAMERA-01",
        "scanning a QR code to recover a work account uses the camera without asking, when "
        "it is the phone's first scan (adding an account still asks)")
def _recovery_scan_skips_prompt(world: World) -> None:
    def scan_qr_to_recover(app: Authenticator, original: Callable[..., Done],
                           entry_id: str, image: bytes) -> Done:
        if app.device.camera is CameraPermission.NOT_ASKED:
            app.device.camera = CameraPermission.ALLOWED
        return original(entry_id, image)

    wrap_app(world, "scan_qr_to_recover", scan_qr_to_recover)


@mutant("wrong_prompt_wording", "REQ-CAMERA-01",
        "each phone asks for the camera in the other operating system's words")
def _wrong_prompt_wording(world: World) -> None:
    def patch(device: Any) -> None:
        other = Platform.ANDROID if device.platform is Platform.IOS else Platform.IOS
        device.camera_prompt = (
            lambda: CAMERA_PROMPT[other] if device.camera_prompt_showing else None)

    on_each_device(world, patch)


@mutant("camera_allow_ignored", "REQ-CAMERA-02",
        "allowing the camera is recorded as a refusal, so scanning never works")
def _camera_allow_ignored(world: World) -> None:
    def answer_camera_prompt(app: Authenticator, original: Callable[[bool], None],
                             allow: bool) -> None:
        original(False)

    wrap_app(world, "answer_camera_prompt", answer_camera_prompt)


@mutant("camera_denial_blocks_manual_entry", "REQ-CAMERA-03",
        "with the camera refused, typing an account's details by hand is refused too")
def _camera_denial_blocks_manual_entry(world: World) -> None:
    def refuse_if_denied(app: Authenticator, original: Callable[..., Done], *args: Any,
                         **kwargs: Any) -> Done:
        if app.device.camera is CameraPermission.DENIED:
            raise Refusal(Code.CAMERA_DENIED)
        return original(*args, **kwargs)

    wrap_app(world, "enter_code_manually", refuse_if_denied)
    wrap_app(world, "enter_activation_manually", refuse_if_denied)
    wrap_app(world, "enter_activation_to_recover", refuse_if_denied)


@mutant("camera_revocation_ignored", "REQ-CAMERA-04",
        "the app keeps using the camera after access is turned off in the phone's settings")
def _camera_revocation_ignored(world: World) -> None:
    once_allowed: set[str] = set()

    def _camera_read(app: Authenticator, original: Callable[[bytes], str], image: bytes) -> str:
        device = app.device
        if device.camera is CameraPermission.ALLOWED:
            once_allowed.add(device.id)
        if device.camera is CameraPermission.DENIED and device.id in once_allowed:
            with swapped(device, "camera", CameraPermission.ALLOWED):
                return original(image)
        return original(image)

    def answer_camera_prompt(app: Authenticator, original: Callable[[bool], None],
                             allow: bool) -> None:
        original(allow)
        if allow:
            once_allowed.add(app.device.id)

    wrap_app(world, "_camera_read", _camera_read)
    wrap_app(world, "answer_camera_prompt", answer_camera_prompt)
