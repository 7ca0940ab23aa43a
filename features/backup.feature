Feature: Turning on cloud backup
  Alex keeps accounts in the Authenticator app and wants them safe in the cloud, so that a
  new phone can get them back. Backup needs a personal Microsoft account as the recovery
  account and, on an iPhone, iCloud as the storage location. Once on, the app keeps the
  cloud copy current by itself.

  Background:
    Given Alex has a personal Microsoft account
    And Alex has a third-party "GitHub" account
    And Alex has a third-party "Dropbox" account

  Rule: Backup is switched on in Settings > Backup by signing in to the recovery account

    @backup @REQ-BACKUP-01 @REQ-RECOVACCT-01
    Scenario Outline: Alex turns on backup by signing in to the personal Microsoft account
      Given Alex has the app on the "<phone>"
      And Alex has added the "GitHub" account to the "<phone>"
      Then the "<phone>" shows backup as off
      When Alex turns on backup on the "<phone>"
      Then the app answers "OK"
      And the "<phone>" shows backup as on

      @ios
      Examples: iPhone
        | phone      |
        | old iPhone |

      @android @profile-current
      Examples: Android phone
        | phone             |
        | old Android phone |

    # Where the setting is and where the backup goes are their own requirements: with
    # backup turned on in a Given, a backup that cannot be turned on blocks these
    # (REQ-BACKUP-01 fails) instead of failing them too.
    @backup @REQ-BACKUP-04 @ios
    Scenario: On an iPhone the setting is iCloud backup and the backup goes to iCloud
      Given Alex has the app on the "old iPhone"
      And Alex has added the "GitHub" account to the "old iPhone"
      And Alex has turned on backup on the "old iPhone"
      Then the "old iPhone" settings offer "iCloud backup"
      And Alex's backup is kept in iCloud under the Apple ID
      And nothing is kept in Microsoft's cloud storage

    @backup @REQ-BACKUP-03 @REQ-BACKUP-05 @android @profile-current
    Scenario: On an Android phone the setting is Cloud backup and the backup goes to Microsoft's cloud storage
      Given Alex has the app on the "old Android phone"
      And Alex has added the "GitHub" account to the "old Android phone"
      And Alex has turned on backup on the "old Android phone"
      Then the "old Android phone" settings offer "Cloud backup"
      And Alex's backup is kept in Microsoft's cloud storage under the Microsoft account
      And nothing is kept in iCloud

    @backup @REQ-BACKUP-01 @negative
    Scenario Outline: A wrong recovery account password leaves backup off
      Given Alex has the app on the "<phone>"
      And Alex has added the "GitHub" account to the "<phone>"
      When Alex turns on backup on the "<phone>" with a wrong password
      Then turning on backup is refused with "SIGN_IN_FAILED"
      And the "<phone>" shows backup as off
      And the cloud holds no backup

      @ios
      Examples: iPhone
        | phone      |
        | old iPhone |

      @android @profile-current
      Examples: Android phone
        | phone             |
        | old Android phone |

    @backup @REQ-BACKUP-02 @ios @negative
    Scenario: An iPhone not signed in to iCloud cannot turn on backup
      Given Alex has the app on the "old iPhone" without signing in to iCloud
      And Alex has added the "GitHub" account to the "old iPhone"
      When Alex turns on backup on the "old iPhone"
      Then turning on backup is refused with "ICLOUD_SIGN_IN_REQUIRED"
      And the "old iPhone" shows backup as off
      And the cloud holds no backup

    @backup @REQ-BACKUP-02 @ios
    Scenario: After signing in to iCloud the iPhone turns on backup
      Given Alex has an Apple ID
      And Alex has the app on the "old iPhone" without signing in to iCloud
      When Alex signs in to iCloud on the "old iPhone"
      And Alex turns on backup on the "old iPhone"
      Then the app answers "OK"
      And the "old iPhone" shows backup as on

  Rule: Once backup is on, every change reaches the cloud without Alex doing anything

    @backup @REQ-BACKUP-06
    Scenario Outline: Accounts already in the app are backed up when backup is turned on
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      When Alex begins recovery on the "<new phone>"
      Then the "<new phone>" shows the accounts "Microsoft, GitHub" and no others

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    @backup @REQ-BACKUP-06
    Scenario Outline: An added account is backed up
      Given Alex has backed up the accounts "GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      When Alex adds the "Dropbox" account to the "<old phone>"
      And Alex begins recovery on the "<new phone>"
      Then the "<new phone>" shows the accounts "GitHub, Dropbox" and no others

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    # Names are not in the documents: the harness's own expectation (REQ-STORED-05).
    @backup @REQ-STORED-05
    Scenario Outline: A renamed account is backed up
      Given Alex has the app on the "<old phone>"
      And Alex has added the accounts "GitHub, Dropbox" to the "<old phone>"
      And Alex has renamed the "Dropbox" account to "Files" on the "<old phone>"
      And Alex has turned on backup on the "<old phone>"
      And Alex has the app on the "<new phone>"
      When Alex renames the "GitHub" account to "Code at work" on the "<old phone>"
      And Alex begins recovery on the "<new phone>"
      Then the "<new phone>" shows the "Dropbox" account still named "Files"
      And the "<new phone>" shows the "GitHub" account named "Code at work"

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    @backup @REQ-BACKUP-06
    Scenario Outline: A new order of the accounts is backed up
      Given Alex has backed up the accounts "GitHub, Dropbox" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      When Alex moves the bottom account to the top on the "<old phone>"
      And Alex begins recovery on the "<new phone>"
      Then the "<new phone>" shows the accounts in the order the "<old phone>" shows them

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    @backup @REQ-BACKUP-06
    Scenario Outline: A removed account is removed from the backup
      Given Alex has backed up the accounts "GitHub, Dropbox" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      When Alex removes the "GitHub" account from the "<old phone>"
      And Alex begins recovery on the "<new phone>"
      Then the "<new phone>" shows the accounts "Dropbox" and no others

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    # A removal reaches the backup for the account removed, and for no other: another
    # account at the same site, or under the same user name at another site, stays.
    @backup @REQ-BACKUP-06
    Scenario Outline: Removing one of two accounts at one site leaves the other in the backup
      Given Alex has a second "GitHub" account called "GitHub at work"
      And Alex has backed up the accounts "GitHub, GitHub at work, Dropbox" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      When Alex removes the "GitHub" account from the "<old phone>"
      Then the app answers "OK"
      When Alex begins recovery on the "<new phone>"
      Then the "<new phone>" shows the accounts "GitHub at work, Dropbox" and no others

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    @backup @REQ-BACKUP-06
    Scenario Outline: Removing an account leaves the one under the same user name at another site in the backup
      Given Alex has the app on the "<old phone>"
      And Alex has typed in the accounts "GitHub, Dropbox" under one user name on the "<old phone>"
      And Alex has turned on backup on the "<old phone>"
      And Alex has the app on the "<new phone>"
      When Alex removes the "GitHub" account from the "<old phone>"
      Then the app answers "OK"
      When Alex begins recovery on the "<new phone>"
      Then the "<new phone>" shows the accounts "Dropbox" and no others

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

  Rule: Turning backup off stops the uploads

    @backup @REQ-BACKUP-07 @negative
    Scenario Outline: Changes made after backup is off never reach the cloud
      Given Alex has backed up the accounts "GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      When Alex turns off backup on the "<old phone>"
      And we note the stored backups
      And Alex adds the "Dropbox" account to the "<old phone>"
      Then the "<old phone>" shows backup as off
      And the stored backups are unchanged
      When Alex begins recovery on the "<new phone>"
      Then the "<new phone>" does not show the "Dropbox" account

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    # Switched off, or its backup deleted from the phone, and switched on again: the new
    # backup is there for a new phone, like the first one.
    @backup @REQ-RECOVERY-02
    Scenario Outline: Backup turned off and on again is recovered on a new phone
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      When Alex turns off backup on the "<old phone>"
      And Alex turns on backup on the "<old phone>"
      Then the app answers "OK"
      When Alex begins recovery on the "<new phone>"
      Then the app answers "OK"
      And the "<new phone>" shows the accounts "Microsoft, GitHub" and no others

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    # The same, then a change: once backup is on again, 000 "Turn on cloud backup" and
    # 002 "To turn on Cloud backup" hold as for the first time, later changes included.
    @backup @REQ-BACKUP-06
    Scenario Outline: After backup is turned off and on again, a later change still reaches the cloud
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      When Alex turns off backup on the "<old phone>"
      And Alex turns on backup on the "<old phone>"
      Then the app answers "OK"
      When Alex adds the "Dropbox" account to the "<old phone>"
      Then the app answers "OK"
      When Alex begins recovery on the "<new phone>"
      Then the app answers "OK"
      And the "<new phone>" shows the accounts "Microsoft, GitHub, Dropbox" and no others

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    # Turning backup on again backs up the accounts the app holds then, those added while
    # it was off among them.
    @backup @REQ-BACKUP-06
    Scenario Outline: An account added while backup was off is backed up once it is turned on again
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      When Alex turns off backup on the "<old phone>"
      And Alex adds the "Dropbox" account to the "<old phone>"
      Then the app answers "OK"
      When Alex turns on backup on the "<old phone>"
      Then the app answers "OK"
      When Alex begins recovery on the "<new phone>"
      Then the app answers "OK"
      And the "<new phone>" shows the accounts "Microsoft, GitHub, Dropbox" and no others

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    @backup @REQ-RECOVERY-02
    Scenario Outline: Backup deleted from the phone and turned on again is recovered on a new phone
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      When Alex deletes the backup from the "<old phone>"
      And Alex turns on backup on the "<old phone>"
      Then the app answers "OK"
      When Alex begins recovery on the "<new phone>"
      Then the app answers "OK"
      And the "<new phone>" shows the accounts "Microsoft, GitHub" and no others

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |
