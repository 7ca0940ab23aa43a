Feature: Attacks on backup and recovery
  Someone who can read the cloud stores or the network, knows one of Alex's passwords, or
  runs Alex's organisation, still gets nothing of Alex's accounts. Every stored byte and
  every message on the wire is searched for every secret the world knows of, in every
  common encoding; only Alex's own pair of accounts, freshly signed in, opens the backup.
  (Damaged backups are in troubleshooting.feature, refused QR codes in
  verification.feature: each in one place.)

  These are harness-added security expectations (area SECURITY), drawn from what the
  documents promise about privacy, device-bound credentials and stronger security from
  two accounts; several scenarios also check requirements of other areas.

  Background:
    Given Alex has a personal Microsoft account
    And Alex has a work account at "Contoso"
    And Alex has a third-party "GitHub" account
    And Alex has a third-party "Facebook" account

  Rule: Nothing secret is readable in the cloud or on the wire

    @security @REQ-SECURITY-01 @negative
    Scenario Outline: No stored byte holds any of Alex's secrets, passwords or device keys
      Given Alex has the app on the "<phone>"
      And Alex has added the "Microsoft" account with sign-in notifications to the "<phone>"
      And Alex has added the "Contoso" account with sign-in notifications to the "<phone>"
      And Alex has added the accounts "GitHub, Facebook" to the "<phone>"
      When Alex turns on backup on the "<phone>"
      And Alex moves the bottom account to the top on the "<phone>"
      Then the app answers "OK"
      And no stored object holds a password or device key of Alex's in any encoding

      @ios
      Examples: iPhone
        | phone      |
        | old iPhone |

      @android @profile-current
      Examples: Android phone
        | phone             |
        | old Android phone |

    @security @REQ-SECURITY-02 @negative
    Scenario Outline: No message on the wire carries a third-party secret or a device key
      Given Alex has backed up the accounts "Microsoft with sign-in notifications, Contoso with sign-in notifications, GitHub, Facebook" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      And "Contoso" has given Alex a new QR code
      When Alex signs in to recover the "Microsoft" account on the "<new phone>" with a code to the alternate email address
      And Alex enters the code sent to the alternate email address for the "Microsoft" account on the "<new phone>"
      And Alex types the code and URL from the QR code to recover the "Contoso" account on the "<new phone>"
      Then no network message holds a third-party secret or a device key of Alex's in any encoding
      And no password of Alex's went to a cloud store or the backup key holder

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

  Rule: Trying someone else's backup gives nothing away and changes nothing
    That the attempt is refused at all is documented (another Microsoft account,
    REQ-RECOVERY-04; another Apple ID, REQ-TROUBLE-03): the When step checks it and
    charges a missing refusal there. These scenarios judge only what the refusal tells
    and whether anything stored moved.

    @security @REQ-SECURITY-04 @negative @ios
    Scenario: Blake's phone signed in to Alex's iCloud, with Blake's own Microsoft account, learns nothing
      Given Blake has a personal Microsoft account
      And Alex has backed up the accounts "Microsoft, GitHub" on the "old iPhone"
      And Blake has the app on the "Blake's iPhone" without signing in to iCloud
      And Blake has signed in to iCloud on the "Blake's iPhone" with Alex's Apple ID
      And we note the stored backups
      When Blake is refused recovery on the "Blake's iPhone" with Blake's Microsoft account
      Then the refusal names nothing of Alex's
      And the stored backups are unchanged

    @security @REQ-SECURITY-04 @negative @ios
    Scenario: Blake knows Alex's Microsoft account password but not her Apple ID, and learns nothing
      Given Blake has a personal Microsoft account
      And Alex has backed up the accounts "Microsoft, GitHub" on the "old iPhone"
      And Blake has the app on the "Blake's iPhone"
      And we note the stored backups
      When Blake is refused recovery on the "Blake's iPhone" with Alex's Microsoft account
      Then the refusal names nothing of Alex's
      And the stored backups are unchanged

    @security @REQ-SECURITY-04 @negative @android @profile-current
    Scenario: On Android, Blake's own Microsoft account learns nothing of Alex's
      Given Blake has a personal Microsoft account
      And Alex has backed up the accounts "Microsoft, GitHub" on the "old Android phone"
      And Blake has the app on the "Blake's Android phone"
      And we note the stored backups
      When Blake is refused recovery on the "Blake's Android phone" with Blake's Microsoft account
      Then the refusal names nothing of Alex's
      And the stored backups are unchanged

  Rule: The IT administrator learns nothing of Alex's other accounts

    @security @REQ-PRIVACY-02 @negative @ios
    Scenario: Through backup, a failed recovery, recovery and re-activation the administrator sees only the work account
      Given Alex has backed up the accounts "Microsoft with sign-in notifications, Contoso with sign-in notifications, GitHub, Facebook" on the "old iPhone"
      And Alex has the app on the "new iPhone"
      And "Contoso" has given Alex a new QR code
      When Alex begins recovery on the "new iPhone" with a wrong password
      And Alex begins recovery on the "new iPhone"
      And Alex types the code and URL from the QR code to recover the "Contoso" account on the "new iPhone"
      And "Contoso" unregisters the "old iPhone"
      Then the "Contoso" administrator's view holds nothing of Alex's personal or third-party accounts

  Rule: Only a fresh password sign-in of the recovery account releases the backup key

    @security @REQ-SECURITY-03 @negative @ios
    Scenario: A sign-in made minutes ago on the old phone does not open the backup on a new phone
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "old iPhone"
      And Alex has the app on the "new iPhone"
      And we start watching the network traffic
      When 11 minutes pass
      And Alex begins recovery on the "new iPhone" with a wrong password
      Then recovery is refused with "SIGN_IN_FAILED"
      And the "new iPhone" shows no accounts
      And the "new iPhone" has asked the backup key holder for nothing since

    @security @REQ-SECURITY-03
    Scenario Outline: Every backup key released follows a fresh sign-in on the same phone
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      When 30 days pass
      And Alex begins recovery on the "<new phone>"
      Then the app answers "OK"
      And every call the "<new phone>" made to the backup key holder came after it signed in to the recovery account
      And every call the "<new phone>" made to the backup key holder came within the declared key freshness of its sign-in to the recovery account

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    @security @REQ-SECURITY-03 @negative @ios
    Scenario: A recovery sign-in that goes stale before the key is released gets nothing
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "old iPhone"
      And Alex has the app on the "new iPhone"
      And the recovery sign-in will go stale before the backup key is released
      When Alex begins recovery on the "new iPhone"
      Then recovery is refused as "sign-in needed"
      And the "new iPhone" shows no accounts
      When Alex begins recovery on the "new iPhone"
      Then the app answers "OK"
      And the "new iPhone" shows the accounts "Microsoft, GitHub" and no others
