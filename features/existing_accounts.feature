Feature: Recovery while accounts already exist
  Recovery is refused while the app already holds accounts, so that nothing in it is
  overwritten with older data. Alex removes them first, then recovers. The documents
  read two ways: any account of any kind blocks recovery, or only an account that is
  also in the backup does (REQ-EXISTING-01, REQ-EXISTING-04). An account from the backup
  blocks under both readings; one that is not in it blocks only under the first. Each
  kind of account (personal Microsoft, work or school, third-party) is tried alone.

  Background:
    Given Alex has a personal Microsoft account
    And Alex has a work account at "Contoso"
    And Alex has a third-party "GitHub" account
    And Alex has a third-party "Dropbox" account

  Rule: An account from the backup already in the app blocks recovery, whatever its kind

    @existing @REQ-EXISTING-01 @negative
    Scenario Outline: A <kind> account from the backup already on the new phone blocks recovery
      Given Alex has backed up the accounts "Microsoft, Contoso, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has added the "<account>" account to the "<new phone>"
      When Alex begins recovery on the "<new phone>"
      Then recovery is refused with "EXISTING_ACCOUNTS"

      @ios
      Examples: iPhone
        | kind              | account   | old phone  | new phone  |
        | personal          | Microsoft | old iPhone | new iPhone |
        | work or school    | Contoso   | old iPhone | new iPhone |
        | third-party       | GitHub    | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | kind              | account   | old phone         | new phone         |
        | personal          | Microsoft | old Android phone | new Android phone |
        | work or school    | Contoso   | old Android phone | new Android phone |
        | third-party       | GitHub    | old Android phone | new Android phone |

  # Restored accounts that still wait for additional verification are accounts set up in
  # the app: they are in the backup too, so they block under both readings.
    @existing @REQ-EXISTING-01 @negative @profile-current
    Scenario Outline: An account from the backup added by scanning its QR code blocks recovery too
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      When Alex scans the QR code of the "GitHub" account with the "<new phone>"
      And Alex allows camera access on the "<new phone>"
      And Alex finishes scanning the QR code of the "GitHub" account with the "<new phone>"
      Then the app answers "OK"
      When Alex begins recovery on the "<new phone>"
      Then recovery is refused with "EXISTING_ACCOUNTS"

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    # The same in 2019: 002 never says a third-party account can be added by scanning,
    # so the scan is set up as in stored.feature's 2019 scenario (an app that adds no
    # account this way is not-applicable); one it added blocks recovery like any other.
    @existing @REQ-EXISTING-01 @negative @profile-2019 @ios
    Scenario: In 2019 too, an account from the backup added by scanning its QR code blocks recovery
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "old iPhone"
      And Alex has the app on the "new iPhone"
      And Alex has added the "GitHub" account to the "new iPhone" by scanning its QR code, where the app adds accounts that way
      When Alex begins recovery on the "new iPhone"
      Then recovery is refused with "EXISTING_ACCOUNTS"

    @existing @REQ-EXISTING-01 @negative
    Scenario Outline: Accounts still block recovery after the app is closed and opened again
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has added the "GitHub" account to the "<new phone>"
      When Alex closes the app on the "<new phone>" and opens it again
      And Alex begins recovery on the "<new phone>"
      Then recovery is refused with "EXISTING_ACCOUNTS"

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    @existing @REQ-EXISTING-01 @negative
    Scenario Outline: Restored accounts still waiting for verification block a second recovery
      Given Alex has backed up the accounts "Microsoft with sign-in notifications, Contoso" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      When Alex begins recovery on the "<new phone>"
      Then recovery is refused with "EXISTING_ACCOUNTS"
      And the refusal left the "Microsoft" account on the "<new phone>" waiting for additional verification
      And the refusal left the "Contoso" account on the "<new phone>" waiting for additional verification

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

  Rule: Under the strict reading, any account blocks recovery, even one not in the backup

    @existing @REQ-EXISTING-01 @negative @reading-existing_accounts-any
    Scenario Outline: A <kind> account that is not in the backup blocks recovery too
      Given Alex has backed up the accounts "Dropbox" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has added the "<account>" account to the "<new phone>"
      When Alex begins recovery on the "<new phone>"
      Then recovery is refused with "EXISTING_ACCOUNTS"

      @ios
      Examples: iPhone
        | kind              | account   | old phone  | new phone  |
        | personal          | Microsoft | old iPhone | new iPhone |
        | work or school    | Contoso   | old iPhone | new iPhone |
        | third-party       | GitHub    | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | kind              | account   | old phone         | new phone         |
        | personal          | Microsoft | old Android phone | new Android phone |
        | work or school    | Contoso   | old Android phone | new Android phone |
        | third-party       | GitHub    | old Android phone | new Android phone |

    @existing @REQ-EXISTING-02 @negative @ios @reading-existing_accounts-any
    Scenario: A refused recovery changes nothing on the phone or in the cloud
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "old iPhone"
      And Alex has the app on the "new iPhone"
      And Alex has added the "Dropbox" account to the "new iPhone"
      And Alex has the app on the "spare iPhone"
      When Alex begins recovery on the "new iPhone" while it holds accounts
      Then the "new iPhone" shows the accounts "Dropbox" in that order
      And the "Dropbox" account on the "new iPhone" shows a code its provider accepts
      When Alex begins recovery on the "spare iPhone"
      Then the "spare iPhone" shows the accounts "Microsoft, GitHub" and no others

    # An app must not take a failed attempt for a recovery under way and skip the check
    # when it is tried again.
    @existing @REQ-EXISTING-01 @negative
    Scenario Outline: A recovery turned away at its sign-in does not lift the rule afterwards
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has tried to begin recovery on the "<new phone>" with a wrong password
      And Alex has added the "GitHub" account to the "<new phone>"
      When Alex begins recovery on the "<new phone>"
      Then recovery is refused with "EXISTING_ACCOUNTS"
      And the refusal left the "<new phone>" with the accounts "GitHub" and no others

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    # Nor a recovery the network cut off: the next attempt is a new one, checked again.
    @existing @REQ-EXISTING-01 @negative
    Scenario Outline: A recovery cut off by the network does not lift the rule afterwards
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has tried to begin recovery on the "<new phone>" while it had no network connection
      And Alex has added the "GitHub" account to the "<new phone>"
      When Alex begins recovery on the "<new phone>"
      Then recovery is refused with "EXISTING_ACCOUNTS"
      And the refusal left the "<new phone>" with the accounts "GitHub" and no others

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    # Nor asking again and again: the documents set no number of refusals after which
    # recovery goes ahead (000 and 002 "Existing Authenticator app accounts").
    @existing @REQ-EXISTING-01 @negative
    Scenario Outline: Recovery tried three times in a row is refused every time
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has added the "GitHub" account to the "<new phone>"
      And Alex has tried to begin recovery on the "<new phone>" while it holds accounts
      And Alex has tried to begin recovery on the "<new phone>" while it holds accounts
      When Alex begins recovery on the "<new phone>"
      Then recovery is refused with "EXISTING_ACCOUNTS"
      And the refusal left the "<new phone>" with the accounts "GitHub" and no others

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    # An account from the backup blocks under both readings, so this one holds under each.
    @existing @REQ-EXISTING-02 @negative @ios
    Scenario: A recovery refused for an account from the backup changes nothing
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "old iPhone"
      And Alex has the app on the "new iPhone"
      And Alex has added the "GitHub" account to the "new iPhone"
      And Alex has the app on the "spare iPhone"
      When Alex begins recovery on the "new iPhone" while it holds accounts
      Then the "new iPhone" shows the accounts "GitHub" in that order
      And the "GitHub" account on the "new iPhone" shows a code its provider accepts
      When Alex begins recovery on the "spare iPhone"
      Then the "spare iPhone" shows the accounts "Microsoft, GitHub" and no others

    @existing @REQ-EXISTING-03
    Scenario Outline: After removing the existing accounts, recovery restores the whole backup
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has added the accounts "Microsoft, Dropbox" to the "<new phone>"
      And Alex has tried to begin recovery on the "<new phone>" while it holds accounts
      When Alex removes every account from the "<new phone>"
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

  Rule: Under the narrow reading, only an account from the backup blocks recovery

    @existing @REQ-EXISTING-04 @profile-current @reading-existing_accounts-same
    Scenario Outline: A <kind> account that is not in the backup stays, and the backed-up one joins it
      Given Alex has backed up the accounts "Dropbox" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has added the "<account>" account to the "<new phone>"
      When Alex begins recovery on the "<new phone>"
      Then the app answers "OK"
      And the "<new phone>" shows the "<account>" account
      And the "<new phone>" shows the "Dropbox" account

      @ios
      Examples: iPhone
        | kind              | account   | old phone  | new phone  |
        | personal          | Microsoft | old iPhone | new iPhone |
        | work or school    | Contoso   | old iPhone | new iPhone |
        | third-party       | GitHub    | old iPhone | new iPhone |

      @android
      Examples: Android phone
        | kind              | account   | old phone         | new phone         |
        | personal          | Microsoft | old Android phone | new Android phone |
        | work or school    | Contoso   | old Android phone | new Android phone |
        | third-party       | GitHub    | old Android phone | new Android phone |

    # An account from the backup blocks under both readings: this one holds under each.
    @existing @REQ-EXISTING-04 @profile-current @negative @ios
    Scenario: An account from the backup already in the app blocks recovery and stays as it was
      Given Alex has backed up the accounts "Microsoft, GitHub" on the "old iPhone"
      And Alex has the app on the "new iPhone"
      And Alex has added the "GitHub" account to the "new iPhone"
      When Alex begins recovery on the "new iPhone"
      Then recovery is refused with "EXISTING_ACCOUNTS"
      And the refusal left the "new iPhone" with the accounts "GitHub" and no others
