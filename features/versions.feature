Feature: Which app versions have backup
  The current article covers the iOS app from 5.7.0 and the Android app from 6.6.0; older
  builds have neither the backup setting nor recovery. The 2019 article covers every iOS
  version and no Android phone.

  Background:
    Given Alex has a personal Microsoft account

  @version @REQ-VERSION-01 @profile-current @ios
  Scenario Outline: iOS app <version> has backup and recovery
    Given Alex has app version <version> on the "iPhone"
    Then the "iPhone" settings offer "iCloud backup"
    And the "iPhone" offers to begin recovery
    When Alex turns on backup on the "iPhone"
    Then the app answers "OK"

    Examples: from 5.7.0 on, later builds and later major versions included
      | version |
      | 5.7.0   |
      | 5.7.1   |
      | 5.10.0  |
      | 6.0.0   |
      | 10.0.0  |

  @version @REQ-VERSION-02 @profile-current @android
  Scenario Outline: Android app <version> has backup and recovery
    Given Alex has app version <version> on the "Android phone"
    Then the "Android phone" settings offer "Cloud backup"
    And the "Android phone" offers to begin recovery
    When Alex turns on backup on the "Android phone"
    Then the app answers "OK"

    Examples: from 6.6.0 on, later builds and later major versions included
      | version |
      | 6.6.0   |
      | 6.6.1   |
      | 6.10.0  |
      | 7.0.0   |
      | 10.2.0  |

  # Offering recovery is not enough: the lowest versions bring the backup back, to the
  # same version and to later major ones. A new phone usually comes with a newer app than
  # the old one had: 000 (its header, and "Recover your account credentials on your new
  # device") lets every version from the lowest one on back up, and restores that backup
  # on the new phone. (The other way round, an older app and a newer backup, the
  # documents leave open.)
  @version @profile-current @ios @REQ-VERSION-01
  Scenario Outline: A backup made by app <old version> is recovered by app <new version> on a new iPhone
    Given Alex has a third-party "GitHub" account
    And Alex has app version <old version> on the "old iPhone"
    And Alex has added the accounts "GitHub" to the "old iPhone"
    And Alex has turned on backup on the "old iPhone"
    And Alex has app version <new version> on the "new iPhone"
    When Alex begins recovery on the "new iPhone"
    Then the "new iPhone" shows the accounts "GitHub" and no others

    Examples: the lowest version, the next major one, and the lowest version's backup on later ones
      | old version | new version |
      | 5.7.0       | 5.7.0       |
      | 6.0.0       | 6.0.0       |
      | 5.7.0       | 6.0.0       |
      | 5.7.0       | 10.0.0      |

  @version @profile-current @android @REQ-VERSION-02
  Scenario Outline: A backup made by app <old version> is recovered by app <new version> on a new Android phone
    Given Alex has a third-party "GitHub" account
    And Alex has app version <old version> on the "old Android phone"
    And Alex has added the accounts "GitHub" to the "old Android phone"
    And Alex has turned on backup on the "old Android phone"
    And Alex has app version <new version> on the "new Android phone"
    When Alex begins recovery on the "new Android phone"
    Then the "new Android phone" shows the accounts "GitHub" and no others

    Examples: the lowest version, the next major one, and the lowest version's backup on later ones
      | old version | new version |
      | 6.6.0       | 6.6.0       |
      | 7.0.0       | 7.0.0       |
      | 6.6.0       | 7.0.0       |
      | 6.6.0       | 10.2.0      |

  # The same in 2019: 002 names no app version, and what it documents ("Recover your
  # account credentials on your new device") is that the old iPhone's backup comes back on
  # the new one, which often runs a later major version.
  @version @REQ-RECOVERY-02 @profile-2019 @ios
  Scenario Outline: In 2019, a backup made by app <old version> is recovered by app <new version> on a new iPhone
    Given Alex has a third-party "GitHub" account
    And Alex has app version <old version> on the "old iPhone"
    And Alex has added the accounts "GitHub" to the "old iPhone"
    And Alex has turned on backup on the "old iPhone"
    And Alex has app version <new version> on the "new iPhone"
    When Alex begins recovery on the "new iPhone"
    Then the "new iPhone" shows the accounts "GitHub" and no others

    Examples: the same major version, and later major versions
      | old version | new version |
      | 5.7.0       | 5.7.0       |
      | 5.7.0       | 6.0.0       |
      | 5.7.0       | 10.0.0      |

  @version @REQ-VERSION-03 @negative @profile-current
  Scenario Outline: App <version> on an <platform> has no backup and no recovery
    Given Alex has app version <version> on the "<phone>"
    Then the "<phone>" settings have no backup option
    And the "<phone>" does not offer recovery
    When Alex turns on backup on the "<phone>"
    Then turning on backup is refused with "BACKUP_NOT_SUPPORTED"
    When Alex begins recovery on the "<phone>"
    Then recovery is refused with "BACKUP_NOT_SUPPORTED"

    @ios
    Examples: iPhone before 5.7.0
      | platform | version | phone  |
      | iPhone   | 5.6.9   | iPhone |
      | iPhone   | 5.6.0   | iPhone |
      | iPhone   | 4.12.0  | iPhone |

    @android
    Examples: Android before 6.6.0
      | platform      | version | phone         |
      | Android phone | 6.5.9   | Android phone |
      | Android phone | 6.5.10  | Android phone |

  @version @REQ-VERSION-04 @profile-2019 @ios
  Scenario: In 2019 the app on an iPhone has backup and recovery
    Given Alex has the app on the "iPhone"
    Then the "iPhone" settings offer "iCloud backup"
    And the "iPhone" offers to begin recovery
    When Alex turns on backup on the "iPhone"
    Then the app answers "OK"

  # 002 names no app version: no gate is the harness's reading (REQ-VERSION-06, robustness).
  @version @REQ-VERSION-06 @profile-2019 @ios
  Scenario Outline: In 2019 every iOS version <version> has backup and recovery
    Given Alex has app version <version> on the "iPhone"
    Then the "iPhone" settings offer "iCloud backup"
    And the "iPhone" offers to begin recovery
    When Alex turns on backup on the "iPhone"
    Then the app answers "OK"

    Examples:
      | version |
      | 5.0.0   |
      | 5.6.9   |
      | 5.7.0   |

  # 002 applies to iOS only: that Android has no backup at all is the harness's reading
  # (REQ-VERSION-05, robustness).
  @version @REQ-VERSION-05 @profile-2019 @negative @android
  Scenario Outline: In 2019 no Android version <version> has backup or recovery
    Given Alex has app version <version> on the "Android phone"
    Then the "Android phone" settings have no backup option
    And the "Android phone" does not offer recovery
    When Alex turns on backup on the "Android phone"
    Then turning on backup is refused with "BACKUP_NOT_SUPPORTED"
    When Alex begins recovery on the "Android phone"
    Then recovery is refused with "BACKUP_NOT_SUPPORTED"

    Examples:
      | version |
      | 6.5.9   |
      | 6.6.0   |
      | 6.8.0   |
