Feature: A lost phone
  Recovery needs only the recovery account, never the old phone. If the lost phone held a
  work or school account, Alex asks the organisation to delete and unregister it: from
  then on it can no longer approve sign-ins or give codes, while the new phone can.

  Background:
    Given Alex has a personal Microsoft account
    And Alex has a work account at "Contoso"
    And Alex has a third-party "GitHub" account

  @lost @REQ-LOST-03
  Scenario Outline: Recovery works while the old phone is lost and unreachable
    Given Alex has backed up the accounts "Microsoft, GitHub" on the "<old phone>"
    And the "<old phone>" has no network connection
    And Alex has the app on the "<new phone>"
    When Alex begins recovery on the "<new phone>"
    Then the app answers "OK"
    And the "<new phone>" shows the accounts "Microsoft, GitHub" and no others
    And the "Microsoft" account on the "<new phone>" shows a code its provider accepts

    @ios
    Examples: iPhone
      | old phone  | new phone  |
      | old iPhone | new iPhone |

    @android @profile-current
    Examples: Android phone
      | old phone         | new phone         |
      | old Android phone | new Android phone |

  Rule: Only the organisation's unregistering stops the lost phone

    @lost @REQ-LOST-02 @profile-current @negative
    Scenario Outline: Until the organisation acts, both phones work for the work account
      Given Alex has backed up the accounts "Contoso with sign-in notifications" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      And "Contoso" has given Alex a new QR code
      When Alex types the code and URL from the QR code to recover the "Contoso" account on the "<new phone>"
      # which registered phone a sign-in request goes to is the organisation's choice:
      # the old phone's codes are what must still work
      Then the "Contoso" account on the "<old phone>" shows a code its provider accepts
      And the "Contoso" account on the "<new phone>" shows a code its provider accepts

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    @lost @REQ-LOST-01 @profile-current @negative
    Scenario Outline: The unregistered phone is refused
      Given Alex has backed up the accounts "Contoso with sign-in notifications" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      And "Contoso" has given Alex a new QR code
      And Alex has typed the code and URL from the QR code to recover the "Contoso" account on the "<new phone>"
      And the "Contoso" administrator still sees the "<old phone>" as registered
      When "Contoso" unregisters the "<old phone>"
      And Alex signs in to the "Contoso" account elsewhere
      And Alex approves the sign-in on the "<old phone>"
      # what the app says is its own: the documents say only that the sign-in fails
      Then the sign-in is not approved
      And the "Contoso" account on the "<old phone>" makes no code its provider accepts

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    @lost @REQ-LOST-02 @profile-current
    Scenario Outline: Unregistering the old phone leaves the new phone working
      Given Alex has backed up the accounts "Contoso with sign-in notifications" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      And "Contoso" has given Alex a new QR code
      And Alex has typed the code and URL from the QR code to recover the "Contoso" account on the "<new phone>"
      And the "Contoso" administrator still sees the "<old phone>" as registered
      When "Contoso" unregisters the "<old phone>"
      Then the "Contoso" account on the "<new phone>" shows a code its provider accepts
      When Alex signs in to the "Contoso" account elsewhere
      And Alex approves the sign-in on the "<new phone>"
      Then the sign-in is approved

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    # Neither document orders Alex's re-activation and the organisation's unregistering
    # (000 "FAQs", 000 and 002 "more verification for work or school accounts"): with
    # the old phone unregistered first, the new phone's registration still works.
    @lost @REQ-LOST-02 @profile-current
    Scenario Outline: The old phone unregistered before Alex re-activates, the new phone works
      Given Alex has backed up the accounts "Contoso with sign-in notifications" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      When "Contoso" unregisters the "<old phone>"
      And "Contoso" gives Alex a new QR code
      And Alex types the code and URL from the QR code to recover the "Contoso" account on the "<new phone>"
      Then the app answers "OK"
      And the "Contoso" account on the "<new phone>" shows a code its provider accepts
      When Alex signs in to the "Contoso" account elsewhere
      And Alex approves the sign-in on the "<new phone>"
      Then the sign-in is approved

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    # A work account that shows codes only (no sign-in notifications) too.
    @lost @REQ-LOST-02 @profile-current
    Scenario Outline: Until the organisation acts, both phones show working codes for a work account without notifications
      Given Alex has backed up the accounts "Contoso" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      And "Contoso" has given Alex a new QR code
      When Alex types the code and URL from the QR code to recover the "Contoso" account on the "<new phone>"
      Then the "Contoso" account on the "<old phone>" shows a code its provider accepts
      And the "Contoso" account on the "<new phone>" shows a code its provider accepts

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    @lost @REQ-LOST-01 @profile-current @negative
    Scenario Outline: The unregistered phone's codes for a work account without notifications are refused
      Given Alex has backed up the accounts "Contoso" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      And "Contoso" has given Alex a new QR code
      And Alex has typed the code and URL from the QR code to recover the "Contoso" account on the "<new phone>"
      And the "Contoso" administrator still sees the "<old phone>" as registered
      When "Contoso" unregisters the "<old phone>"
      Then the "Contoso" account on the "<old phone>" makes no code its provider accepts

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    @lost @REQ-LOST-01 @profile-current
    Scenario: The administrator sees the old phone unregistered and the new one registered
      Given Alex has backed up the accounts "Contoso with sign-in notifications" on the "old iPhone"
      And Alex has the app on the "new iPhone"
      And Alex has recovered the backup on the "new iPhone"
      And "Contoso" has given Alex a new QR code
      And Alex has typed the code and URL from the QR code to recover the "Contoso" account on the "new iPhone"
      And the "Contoso" administrator still sees the "old iPhone" as registered
      When "Contoso" unregisters the "old iPhone"
      Then the "Contoso" administrator sees the "old iPhone" as unregistered
      And the "Contoso" administrator sees the "new iPhone" as registered
