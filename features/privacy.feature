Feature: Who can see a backup
  A backup is Alex's alone. It travels only to the recovery account's service and the
  storage location, the stored data cannot be read on its own, nobody else's accounts
  find it, an organisation's administrator learns nothing about the other accounts, and
  the private part of a notification credential never leaves the phone that made it.

  Background:
    Given Alex has a personal Microsoft account
    And Alex has a work account at "Contoso"
    And Alex has a third-party "GitHub" account

  @privacy @REQ-PRIVACY-01 @security @negative
  Scenario Outline: Backup and recovery share nothing of the accounts with any other service
    Given Alex has the app on the "<old phone>"
    And Alex has added the accounts "Microsoft, GitHub" to the "<old phone>"
    And Alex has the app on the "<new phone>"
    And we start watching the network traffic
    And Alex has turned on backup on the "<old phone>"
    When Alex moves the bottom account to the top on the "<old phone>"
    And Alex begins recovery on the "<new phone>"
    Then the app answers "OK"
    And no call since to any service but the Microsoft account service, the backup key holder or <store> carries anything of Alex's accounts

    @ios
    Examples: iPhone
      | old phone  | new phone  | store  |
      | old iPhone | new iPhone | iCloud |

    @android @profile-current
    Examples: Android phone
      | old phone         | new phone         | store                     |
      | old Android phone | new Android phone | Microsoft's cloud storage |

  @privacy @REQ-PRIVACY-02 @security @negative
  Scenario Outline: The administrator learns nothing from backup and recovery
    Given Alex has the app on the "<old phone>"
    And Alex has added the "Microsoft" account with sign-in notifications to the "<old phone>"
    And Alex has added the "Contoso" account with sign-in notifications to the "<old phone>"
    And Alex has added the "GitHub" account to the "<old phone>"
    And Alex has the app on the "<new phone>"
    And we note what the "Contoso" administrator sees
    When Alex turns on backup on the "<old phone>"
    And Alex begins recovery on the "<new phone>"
    Then anything new the "Contoso" administrator sees is about Alex's "Contoso" account
    And the "Contoso" administrator sees nothing of Alex's "Microsoft" and "GitHub" accounts

    @ios
    Examples: iPhone
      | old phone  | new phone  |
      | old iPhone | new iPhone |

    @android @profile-current
    Examples: Android phone
      | old phone         | new phone         |
      | old Android phone | new Android phone |

  @privacy @REQ-PRIVACY-02 @security @negative
  Scenario Outline: Turning backup off tells the administrator nothing
    Given Alex has the app on the "<phone>"
    And Alex has added the "Microsoft" account with sign-in notifications to the "<phone>"
    And Alex has added the "Contoso" account with sign-in notifications to the "<phone>"
    And Alex has added the "GitHub" account to the "<phone>"
    And Alex has turned on backup on the "<phone>"
    And we note what the "Contoso" administrator sees
    When Alex turns off backup on the "<phone>"
    Then anything new the "Contoso" administrator sees is about Alex's "Contoso" account

    @ios
    Examples: iPhone
      | phone      |
      | old iPhone |

    @android @profile-current
    Examples: Android phone
      | phone             |
      | old Android phone |

  @privacy @REQ-PRIVACY-02 @security @negative
  Scenario Outline: Deleting the backup from the phone tells the administrator nothing
    Given Alex has the app on the "<phone>"
    And Alex has added the "Microsoft" account with sign-in notifications to the "<phone>"
    And Alex has added the "Contoso" account with sign-in notifications to the "<phone>"
    And Alex has added the "GitHub" account to the "<phone>"
    And Alex has turned on backup on the "<phone>"
    And we note what the "Contoso" administrator sees
    When Alex deletes the backup from the "<phone>"
    Then anything new the "Contoso" administrator sees is about Alex's "Contoso" account

    @ios
    Examples: iPhone
      | phone      |
      | old iPhone |

    @android @profile-current
    Examples: Android phone
      | phone             |
      | old Android phone |

  @privacy @REQ-PRIVACY-02 @security @negative
  Scenario Outline: Verifying a restored personal account tells the administrator nothing
    Given Alex has backed up the accounts "Microsoft with sign-in notifications, Contoso with sign-in notifications, GitHub" on the "<old phone>"
    And Alex has the app on the "<new phone>"
    And Alex has recovered the backup on the "<new phone>"
    And we note what the "Contoso" administrator sees
    When Alex verifies the "Microsoft" account on the "<new phone>" with a code sent to the alternate email address
    Then anything new the "Contoso" administrator sees is about Alex's "Contoso" account

    @ios
    Examples: iPhone
      | old phone  | new phone  |
      | old iPhone | new iPhone |

    @android @profile-current
    Examples: Android phone
      | old phone         | new phone         |
      | old Android phone | new Android phone |

  # Typing the code and URL instead of scanning: 000 "Notes:" offers it with the camera
  # off on both platforms, and 000 "Important" tells the administrator nothing on either.
  @privacy @REQ-PRIVACY-02 @security @negative
  Scenario Outline: Re-activating the work account shows the administrator only that
    Given Alex has backed up the accounts "Microsoft with sign-in notifications, Contoso with sign-in notifications, GitHub" on the "<old phone>"
    And Alex has the app on the "<new phone>"
    And Alex has recovered the backup on the "<new phone>"
    And "Contoso" has given Alex a new QR code
    And we note what the "Contoso" administrator sees
    When Alex types the code and URL from the QR code to recover the "Contoso" account on the "<new phone>"
    Then every new thing the "Contoso" administrator sees is about Alex's "Contoso" account
    And the "Contoso" administrator sees the "<new phone>" as registered
    And the "Contoso" administrator sees nothing of Alex's "Microsoft" and "GitHub" accounts

    @ios
    Examples: iPhone
      | old phone  | new phone  |
      | old iPhone | new iPhone |

    @android @profile-current
    Examples: Android phone
      | old phone         | new phone         |
      | old Android phone | new Android phone |

  # The same when the new QR code is scanned rather than typed (000 and 002 describe
  # scanning it): the path taken changes nothing of what the administrator learns.
  @privacy @REQ-PRIVACY-02 @security @negative
  Scenario Outline: Re-activating the work account by scanning its QR code shows the administrator only that
    Given Alex has backed up the accounts "Microsoft with sign-in notifications, Contoso with sign-in notifications, GitHub" on the "<old phone>"
    And Alex has the app on the "<new phone>"
    And Alex has recovered the backup on the "<new phone>"
    And Alex has allowed camera access on the "<new phone>"
    And "Contoso" has given Alex a new QR code
    And we note what the "Contoso" administrator sees
    When Alex scans the QR code to recover the "Contoso" account on the "<new phone>"
    Then every new thing the "Contoso" administrator sees is about Alex's "Contoso" account
    And the "Contoso" administrator sees nothing of Alex's "Microsoft" and "GitHub" accounts

    @ios
    Examples: iPhone
      | old phone  | new phone  |
      | old iPhone | new iPhone |

    @android @profile-current
    Examples: Android phone
      | old phone         | new phone         |
      | old Android phone | new Android phone |

  # 002's reason for two sign-ins (stronger security) speaks of iCloud: on an iPhone the
  # backup is unreadable without the key (REQ-PRIVACY-03). On Android the one Microsoft
  # account both holds the copy and signs in, and 000 says nothing of encryption: that
  # the copy is ciphertext there too is the harness's expectation (REQ-PRIVACY-06).
  @privacy @REQ-PRIVACY-03 @security @ios
  Scenario Outline: Nothing the backup holds can be read from the store without the backup key
    Given Alex has the app on the "<phone>"
    And Alex has added the accounts "Microsoft, Contoso, GitHub" to the "<phone>"
    And Alex has turned on backup on the "<phone>"
    Then nothing Alex's backup in <store> holds can be read in the stored bytes without the backup key

    Examples: iPhone
      | phone      | store  |
      | old iPhone | iCloud |

  @privacy @REQ-PRIVACY-06 @security @android @profile-current
  Scenario Outline: On Android too, nothing the backup holds can be read from the store without the backup key
    Given Alex has the app on the "<phone>"
    And Alex has added the accounts "Microsoft, Contoso, GitHub" to the "<phone>"
    And Alex has turned on backup on the "<phone>"
    Then nothing Alex's backup in <store> holds can be read in the stored bytes without the backup key

    Examples: Android phone
      | phone             | store                     |
      | old Android phone | Microsoft's cloud storage |

  @privacy @REQ-PRIVACY-03 @security @negative @ios
  Scenario Outline: The storage location does not keep the key that opens the backup
    Given Alex has the app on the "<phone>"
    And Alex has added the accounts "Microsoft, Contoso, GitHub" to the "<phone>"
    And Alex has turned on backup on the "<phone>"
    When Alex moves the bottom account to the top on the "<phone>"
    Then the app answers "OK"
    And no stored object anywhere holds the key that opens Alex's backup in <store> in any encoding

    Examples: iPhone
      | phone      | store  |
      | old iPhone | iCloud |

  @privacy @REQ-PRIVACY-06 @security @negative @android @profile-current
  Scenario Outline: On Android too, the storage location does not keep the key that opens the backup
    Given Alex has the app on the "<phone>"
    And Alex has added the accounts "Microsoft, Contoso, GitHub" to the "<phone>"
    And Alex has turned on backup on the "<phone>"
    When Alex moves the bottom account to the top on the "<phone>"
    Then the app answers "OK"
    And no stored object anywhere holds the key that opens Alex's backup in <store> in any encoding

    Examples: Android phone
      | phone             | store                     |
      | old Android phone | Microsoft's cloud storage |

  # That neither account alone finds the backup is checked once each: the Microsoft
  # account in recovery.feature (REQ-RECOVERY-04), the Apple ID in
  # troubleshooting.feature (REQ-TROUBLE-03).

  Rule: Another person's accounts find their own backup or none, never Alex's
    Whose account it is changes nothing in the rules, so each rule is checked where only
    one backup could answer: another Microsoft account in recovery.feature and below
    (REQ-RECOVERY-04), another Apple ID in troubleshooting.feature (REQ-TROUBLE-03).
    With two people's backups and their accounts crossed, the answer would lean on both
    rules at once; here each person's own pair finds that person's backup only
    (REQ-RECOVACCT-02).

    @privacy @REQ-RECOVACCT-02 @security @ios
    Scenario: Blake's own pair of accounts finds only Blake's backup on an iPhone
      Given Blake has a personal Microsoft account
      And Blake has a third-party "Dropbox" account
      And Alex has backed up the accounts "Microsoft, GitHub" on the "old iPhone"
      And Blake has backed up the accounts "Microsoft, Dropbox" on the "Blake's old iPhone"
      And Blake has the app on the "Blake's new iPhone"
      When Blake begins recovery on the "Blake's new iPhone"
      Then the app answers "OK"
      And the "Blake's new iPhone" shows the accounts "Microsoft, Dropbox" and no others
      And the "Blake's new iPhone" shows none of Alex's accounts

    @privacy @REQ-RECOVACCT-02 @security @android @profile-current
    Scenario: Blake's Microsoft account finds only Blake's backup on Android
      Given Blake has a personal Microsoft account
      And Blake has a third-party "Dropbox" account
      And Alex has backed up the accounts "Microsoft, GitHub" on the "old Android phone"
      And Blake has backed up the accounts "Microsoft, Dropbox" on the "Blake's old Android phone"
      And Blake has the app on the "Blake's new Android phone"
      When Blake begins recovery on the "Blake's new Android phone"
      Then the app answers "OK"
      And the "Blake's new Android phone" shows the accounts "Microsoft, Dropbox" and no others
      And the "Blake's new Android phone" shows none of Alex's accounts

    @privacy @REQ-RECOVERY-04 @security @negative
    Scenario Outline: Blake's Microsoft account without a backup of its own finds nothing
      Given Blake has a personal Microsoft account
      And Alex has backed up the accounts "Microsoft, GitHub" on the "<alex phone>"
      And Blake has the app on the "<blake phone>"
      When Blake begins recovery on the "<blake phone>"
      Then recovery is refused as "backup unavailable"
      And the "<blake phone>" shows none of Alex's accounts

      @ios
      Examples: iPhone
        | alex phone | blake phone    |
        | old iPhone | Blake's iPhone |

      @android @profile-current
      Examples: Android phone
        | alex phone        | blake phone           |
        | old Android phone | Blake's Android phone |

  Rule: The private part of a notification credential stays on its phone

    @privacy @REQ-PRIVACY-05 @security @negative
    Scenario Outline: Device keys appear neither in the backup nor on the network
      Given Alex has backed up the accounts "Microsoft with sign-in notifications, Contoso with sign-in notifications" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      And "Contoso" has given Alex a new QR code
      When Alex signs in to recover the "Microsoft" account on the "<new phone>" with a code to the alternate email address
      And Alex enters the code sent to the alternate email address for the "Microsoft" account on the "<new phone>"
      And Alex types the code and URL from the QR code to recover the "Contoso" account on the "<new phone>"
      Then no stored backup contains a device key of the "<old phone>" or the "<new phone>"
      And no network traffic contains a device key of the "<old phone>" or the "<new phone>"

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |
