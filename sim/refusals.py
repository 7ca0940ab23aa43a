"""Refusals: what the app says no to, with a stable code and the advice a user reads.

Codes match ``authconform.port.OutcomeCode`` value for value (a test holds them equal);
the model knows nothing of HTTP status codes.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    OK = "OK"
    CODE_SENT = "CODE_SENT"
    SIGN_IN_FAILED = "SIGN_IN_FAILED"
    NOT_A_PERSONAL_ACCOUNT = "NOT_A_PERSONAL_ACCOUNT"
    ICLOUD_SIGN_IN_REQUIRED = "ICLOUD_SIGN_IN_REQUIRED"
    NETWORK_UNAVAILABLE = "NETWORK_UNAVAILABLE"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    BACKUP_NOT_SUPPORTED = "BACKUP_NOT_SUPPORTED"
    BACKUP_ALREADY_ON = "BACKUP_ALREADY_ON"
    EXISTING_ACCOUNTS = "EXISTING_ACCOUNTS"
    NO_BACKUP_FOUND = "NO_BACKUP_FOUND"
    BACKUP_ON_OTHER_PLATFORM = "BACKUP_ON_OTHER_PLATFORM"
    BACKUP_IN_OTHER_ICLOUD = "BACKUP_IN_OTHER_ICLOUD"
    BACKUP_DELETED = "BACKUP_DELETED"
    BACKUP_DAMAGED = "BACKUP_DAMAGED"
    VERIFICATION_REQUIRED = "VERIFICATION_REQUIRED"
    WRONG_CODE = "WRONG_CODE"
    NO_SUCH_CHANNEL = "NO_SUCH_CHANNEL"
    QR_REJECTED = "QR_REJECTED"
    QR_UNREADABLE = "QR_UNREADABLE"
    CAMERA_PERMISSION_NEEDED = "CAMERA_PERMISSION_NEEDED"
    CAMERA_DENIED = "CAMERA_DENIED"
    ACCOUNT_EXISTS = "ACCOUNT_EXISTS"
    INVALID_ENTRY = "INVALID_ENTRY"
    NO_SUCH_ACCOUNT = "NO_SUCH_ACCOUNT"
    DEVICE_UNREGISTERED = "DEVICE_UNREGISTERED"
    SIGN_IN_REQUIRED = "SIGN_IN_REQUIRED"
    RECOVERY_ACCOUNT_IN_USE = "RECOVERY_ACCOUNT_IN_USE"


# The advice follows the documents' troubleshooting guidance, in our own words.
# Sources: 000 "Troubleshoot backup and recovery problems", 002 "Troubleshooting backup
# and recovery problems", and the recovery and verification sections of both.
MESSAGES: dict[Code, str] = {
    Code.OK: "Done.",
    Code.CODE_SENT: "A code is on its way. Enter it to finish.",
    Code.SIGN_IN_FAILED: "That user name or password is not right. Check them and sign in again.",
    Code.NOT_A_PERSONAL_ACCOUNT: (
        "A recovery account must be a personal Microsoft account; work or school "
        "accounts cannot hold a backup."
    ),
    Code.ICLOUD_SIGN_IN_REQUIRED: (
        "Sign in to iCloud on this iPhone first: the backup is kept in your iCloud."
    ),
    Code.NETWORK_UNAVAILABLE: (
        "No network connection. Connect to a network and try again; nothing was changed."
    ),
    Code.SERVICE_UNAVAILABLE: (
        "The cloud service did not answer. Try again later; nothing was changed."
    ),
    Code.BACKUP_NOT_SUPPORTED: "This version of the app has no cloud backup. Update the app.",
    Code.BACKUP_ALREADY_ON: "Backup is already on.",
    Code.EXISTING_ACCOUNTS: (
        "Recovery is blocked because accounts are already set up in the app, so that "
        "they are not overwritten with older data. Remove them first, then recover."
    ),
    Code.NO_BACKUP_FOUND: (
        "No backup was found for this recovery account. Add your accounts to the app again "
        "by hand."
    ),
    Code.BACKUP_ON_OTHER_PLATFORM: (
        "Your backup was made on another kind of phone and is kept in that phone's cloud "
        "storage, which this phone cannot reach. Add your accounts again by hand."
    ),
    Code.BACKUP_IN_OTHER_ICLOUD: (
        "No backup in this iCloud. Sign in to iCloud with the Apple ID your previous "
        "iPhone used."
    ),
    Code.BACKUP_DELETED: (
        "Your backup was deleted from cloud storage. Add your accounts again by hand."
    ),
    Code.BACKUP_DAMAGED: "The backup could not be read, so nothing was restored.",
    Code.VERIFICATION_REQUIRED: (
        "This account uses notifications or belongs to your work or school: verify your "
        "identity to finish recovering it."
    ),
    Code.WRONG_CODE: "That code is not right or has expired.",
    Code.NO_SUCH_CHANNEL: "There is no such alternate email address or phone number on file.",
    Code.QR_REJECTED: (
        "This QR code is not valid for this account. Ask your organization for a new one."
    ),
    Code.QR_UNREADABLE: "No QR code could be read from that picture.",
    Code.CAMERA_PERMISSION_NEEDED: "The app needs permission to use the camera.",
    Code.CAMERA_DENIED: (
        "Camera access is off. You can still add the account by entering the code by hand."
    ),
    Code.ACCOUNT_EXISTS: "This account is already in the app.",
    Code.INVALID_ENTRY: "That key is not valid. Check what you typed.",
    Code.NO_SUCH_ACCOUNT: "There is no such account in the app.",
    Code.DEVICE_UNREGISTERED: "This device is no longer registered with your organization.",
    Code.SIGN_IN_REQUIRED: (
        "Your backup is out of date. Sign in to your recovery account to update it."
    ),
    Code.RECOVERY_ACCOUNT_IN_USE: (
        "This Microsoft account already guards a backup in another storage location. "
        "Choose another personal Microsoft account for this one."
    ),
}


class Refusal(Exception):
    """A documented 'no' from the app or a provider: not a bug, a behaviour."""

    def __init__(self, code: Code, message: str | None = None):
        self.code = code
        self.message = message if message is not None else MESSAGES[code]
        super().__init__(f"{code.value}: {self.message}")


class Done:
    """A successful answer: ``Code.OK`` or ``Code.CODE_SENT`` with what the user reads."""

    __slots__ = ("code", "message")

    def __init__(self, message: str = "", code: Code = Code.OK):
        self.code = code
        self.message = message or MESSAGES[code]

    def __repr__(self) -> str:
        return f"Done({self.code.value}: {self.message})"
