Feature: Why a backup can be unavailable
  A backup can be out of reach: it was made on the other kind of phone, the network is
  down, the iPhone uses another Apple ID, the backup was deleted, there never was one, or
  it is damaged. Each time recovery says why and restores nothing, and Alex can still set
  the accounts up by hand.

  Background:
    Given Alex has a personal Microsoft account
    And Alex has a third-party "GitHub" account
    And Alex has a third-party "Dropbox" account
    And Alex has a third-party "Facebook" account

  Rule: A backup stays with the operating system that made it

    @trouble @REQ-TROUBLE-01 @negative @profile-current
    Scenario Outline: Moving between iPhone and Android finds no backup
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      When Alex begins recovery on the "<new phone>"
      Then recovery is refused as "backup unavailable"
      And the "<new phone>" shows no accounts
      # 000 "Changing operating systems": the backup stays out of reach, however often
      # Alex tries
      When Alex begins recovery on the "<new phone>"
      Then recovery is refused as "backup unavailable"
      And the "<new phone>" shows no accounts

      Examples:
        | old phone         | new phone         |
        | old iPhone        | new Android phone |
        | old Android phone | new iPhone        |

    # The refused attempt on the other kind of phone leaves the backup where it was.
    @trouble @REQ-TROUBLE-01 @negative @profile-current
    Scenario Outline: A recovery tried on the other kind of phone leaves the backup for the next phone of the kind that made it
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "<old phone>"
      And Alex has the app on the "<other phone>"
      And Alex has the app on the "<new phone>"
      When Alex begins recovery on the "<other phone>"
      Then recovery is refused as "backup unavailable"
      When Alex begins recovery on the "<new phone>"
      Then the app answers "OK"
      And the "<new phone>" shows the accounts "Microsoft, GitHub" and no others

      Examples:
        | old phone         | other phone       | new phone         |
        | old iPhone        | new Android phone | new iPhone        |
        | old Android phone | new iPhone        | new Android phone |

    # 002 describes iOS only: whether the Android app has no backup feature or finds no
    # backup, the iPhone's backup is not restored there. Which refusal is the app's own.
    @trouble @REQ-TROUBLE-01 @negative @profile-2019
    Scenario: In 2019, moving from iPhone to Android restores nothing
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "old iPhone"
      And Alex has the app on the "new Android phone"
      When Alex begins recovery on the "new Android phone"
      Then recovery is refused
      And the "new Android phone" shows no accounts

    @trouble @REQ-TROUBLE-01 @android
    Scenario: After switching to Android, Alex sets the accounts up again by hand
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "old iPhone"
      And Alex has the app on the "new Android phone"
      When Alex adds the "Microsoft" account to the "new Android phone"
      And Alex types in the secret of the "GitHub" account on the "new Android phone"
      Then the app answers "OK"
      And the "GitHub" account on the "new Android phone" shows a code its provider accepts
      And the "Microsoft" account on the "new Android phone" shows a code its provider accepts

  Rule: Without a network nothing happens, and it catches up once the phone is online

    @trouble @REQ-TROUBLE-02 @negative
    Scenario Outline: Backup cannot be turned on without a network connection
      Given Alex has the app on the "<phone>"
      And Alex has added the "GitHub" account to the "<phone>"
      And the "<phone>" has no network connection
      When Alex turns on backup on the "<phone>"
      Then turning on backup is refused as "no connection"
      And the "<phone>" shows backup as off

      @ios
      Examples: iPhone
        | phone      |
        | old iPhone |

      @android @profile-current
      Examples: Android phone
        | phone             |
        | old Android phone |

    @trouble @REQ-TROUBLE-02 @negative
    Scenario Outline: Recovery without a network is refused as a connection problem
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And the "<new phone>" has no network connection
      When Alex begins recovery on the "<new phone>"
      Then recovery is refused as "no connection"

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    @trouble @REQ-RECOVERY-05 @negative
    Scenario Outline: Recovery without a network restores nothing; back online it works
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And the "<new phone>" has no network connection
      When Alex begins recovery on the "<new phone>"
      Then recovery is refused
      And the "<new phone>" shows no accounts
      When the "<new phone>" is back online
      And Alex begins recovery on the "<new phone>"
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

    @trouble @REQ-TROUBLE-02
    Scenario Outline: A change made offline is uploaded once the phone is back online
      Given Alex has backed up the accounts "GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      # online, a change reaches the cloud by itself (REQ-BACKUP-06): the catch-up leans on it
      And Alex has added the "Facebook" account to the "<old phone>", and the backup has it
      When the "<old phone>" loses its network connection
      And Alex adds the "Dropbox" account to the "<old phone>"
      And the "<old phone>" is back online
      And Alex begins recovery on the "<new phone>"
      Then the "<new phone>" shows the accounts "GitHub, Facebook, Dropbox" and no others

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    # Several changes made offline, one of them a removal: every one of them reaches the
    # cloud, not only the first.
    @trouble @REQ-TROUBLE-02
    Scenario Outline: Every change made offline is uploaded once the phone is back online
      Given Alex has backed up the accounts "GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has added the "Facebook" account to the "<old phone>", and the backup has it
      When the "<old phone>" loses its network connection
      And Alex adds the "Dropbox" account to the "<old phone>"
      And Alex removes the "GitHub" account from the "<old phone>"
      And the "<old phone>" is back online
      And Alex begins recovery on the "<new phone>"
      Then the "<new phone>" shows the accounts "Facebook, Dropbox" and no others

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    # A change waiting for the network outlives the app being closed and opened again.
    @trouble @REQ-TROUBLE-02
    Scenario Outline: A change made offline is uploaded once back online, though the app was closed meanwhile
      Given Alex has backed up the accounts "GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has added the "Facebook" account to the "<old phone>", and the backup has it
      When the "<old phone>" loses its network connection
      And Alex adds the "Dropbox" account to the "<old phone>"
      And Alex closes the app on the "<old phone>" and opens it again
      And the "<old phone>" is back online
      And Alex begins recovery on the "<new phone>"
      Then the "<new phone>" shows the accounts "GitHub, Facebook, Dropbox" and no others

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

  Rule: On an iPhone, recovery needs the Apple ID the old iPhone used

    @trouble @REQ-TROUBLE-03 @negative @ios
    Scenario: Another Apple ID finds no backup; the old one does
      Given Alex has a second Apple ID
      And Alex has backed up the accounts "Microsoft, GitHub" on the "old iPhone"
      And Alex has the app on the "new iPhone" without signing in to iCloud
      And Alex has signed in to iCloud on the "new iPhone" with the second Apple ID
      When Alex begins recovery on the "new iPhone"
      # the app may find no backup, or ask for iCloud with the old Apple ID (the remedy
      # the documents give): which refusal is its own
      Then recovery is refused
      And the "new iPhone" shows no accounts
      When Alex signs out of iCloud on the "new iPhone"
      And Alex signs in to iCloud on the "new iPhone"
      And Alex begins recovery on the "new iPhone"
      Then the app answers "OK"
      And the "new iPhone" shows the accounts "Microsoft, GitHub" and no others

    @trouble @REQ-TROUBLE-03 @negative @ios
    Scenario: Without iCloud the backup cannot be reached from the new iPhone
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "old iPhone"
      And Alex has the app on the "new iPhone" without signing in to iCloud
      When Alex begins recovery on the "new iPhone"
      Then recovery is refused as "iCloud needed"
      And the "new iPhone" shows no accounts

  Rule: A deleted backup cannot be recovered; the accounts are set up again by hand

    @trouble @REQ-TROUBLE-04 @negative
    Scenario Outline: A backup deleted while managing cloud storage is gone
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      When Alex deletes the backup while managing <store>
      And Alex begins recovery on the "<new phone>"
      Then recovery is refused as "backup unavailable"
      And the "<new phone>" shows no accounts
      When Alex types in the secret of the "GitHub" account on the "<new phone>"
      Then the app answers "OK"
      And the "GitHub" account on the "<new phone>" shows a code its provider accepts

      @ios
      Examples: iPhone
        | old phone  | new phone  | store  |
        | old iPhone | new iPhone | iCloud |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         | store                     |
        | old Android phone | new Android phone | Microsoft's cloud storage |

    @trouble @REQ-TROUBLE-04 @negative
    Scenario Outline: A backup deleted from the old phone is gone
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      When Alex deletes the backup from the "<old phone>"
      Then the app answers "OK"
      When Alex begins recovery on the "<new phone>"
      Then recovery is refused as "backup unavailable"
      And the "<new phone>" shows no accounts
      When Alex types in the secret of the "GitHub" account on the "<new phone>"
      Then the app answers "OK"
      And the "GitHub" account on the "<new phone>" shows a code its provider accepts

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    # Deleted from the old phone while it is offline: neither document says whether the app
    # refuses (any refusal claims nothing) or deletes, at once or once back online; a
    # deletion it says it made must hold (000 and 002 troubleshooting, accidental deletion).
    @trouble @REQ-TROUBLE-04 @negative
    Scenario Outline: A backup the offline old phone says it deleted is gone
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And the "<old phone>" has no network connection
      When Alex deletes the backup from the "<old phone>"
      Then a deletion the app said it made holds: once the "<old phone>" is back online, Alex finds no backup on the "<new phone>"

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

  Rule: With no backup, or a damaged one, nothing is restored

    @trouble @REQ-TROUBLE-05 @negative
    Scenario Outline: A recovery account that never backed up finds nothing
      Given Alex has the app on the "<new phone>"
      When Alex begins recovery on the "<new phone>"
      Then recovery is refused as "backup unavailable"
      And the "<new phone>" shows no accounts

      @ios
      Examples: iPhone
        | new phone  |
        | new iPhone |

      @android @profile-current
      Examples: Android phone
        | new phone         |
        | new Android phone |

    # A Microsoft account that made no backup while another one did is
    # REQ-RECOVERY-04's (recovery.feature).

    @trouble @REQ-TROUBLE-06 @negative @security
    Scenario Outline: A backup someone changed or cut short is refused whole, every time
      Given Alex has backed up the accounts "Microsoft, GitHub, Dropbox" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      When someone <damages> Alex's backup in <store>
      And Alex begins recovery on the "<new phone>"
      Then recovery is refused with "BACKUP_DAMAGED"
      And the "<new phone>" shows no accounts
      And the "<new phone>" shows backup as off
      When Alex begins recovery on the "<new phone>"
      Then recovery is refused with "BACKUP_DAMAGED"
      And the "<new phone>" shows no accounts

      @ios
      Examples: iPhone
        | old phone  | new phone  | store  | damages                     |
        | old iPhone | new iPhone | iCloud | changes one byte of         |
        | old iPhone | new iPhone | iCloud | cuts off the second half of |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         | store                     | damages                     |
        | old Android phone | new Android phone | Microsoft's cloud storage | changes one byte of         |
        | old Android phone | new Android phone | Microsoft's cloud storage | cuts off the second half of |

  Rule: A problem with the recovery account itself blocks recovery until it is solved

    @trouble @REQ-TROUBLE-07 @negative @profile-current
    Scenario Outline: A recovery account with a problem of its own restores nothing until the problem is solved
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex's personal Microsoft account has a problem of its own
      When Alex begins recovery on the "<new phone>"
      Then recovery is refused as "account problem"
      And the "<new phone>" shows no accounts
      When the problem with Alex's personal Microsoft account is solved
      And Alex begins recovery on the "<new phone>"
      Then the app answers "OK"
      And the "<new phone>" shows the accounts "Microsoft, GitHub" and no others

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |
