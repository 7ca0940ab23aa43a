Feature: Additional verification of restored accounts
  Accounts that approve sign-ins with notifications, and work or school accounts, need a
  credential made on the phone itself. After recovery they wait until Alex proves who
  they are: with the password and a code sent to the alternate email address or phone
  number for the personal Microsoft account, with a QR code from the organisation for a
  work or school account. Both ways are offered on the account itself, on an iPhone and
  on an Android phone alike.

  Background:
    Given Alex has a personal Microsoft account
    And Alex has a work account at "Contoso"
    And Alex has a third-party "GitHub" account

  Rule: Restored notification and work accounts wait, and the app says so

    @verify @REQ-VERIFY-01
    Scenario Outline: The app alerts Alex that some accounts need more verification
      Given Alex has backed up the accounts "Microsoft with sign-in notifications, Contoso with sign-in notifications, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      Then the "<new phone>" alerts that additional verification is needed
      And the "Microsoft" account on the "<new phone>" needs additional verification
      And the "Contoso" account on the "<new phone>" needs additional verification
      And the "GitHub" account on the "<new phone>" is ready to use

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    # 000 "Recover accounts requiring more verification", 002 "Recover additional accounts
    # requiring more verification": the alert comes with any account that used
    # notifications; one such account is enough.
    @verify @REQ-VERIFY-01
    Scenario Outline: One account that waits (<account>) is enough for the alert
      Given Alex has backed up the accounts "<account> with sign-in notifications, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      Then the "<new phone>" alerts that additional verification is needed
      And the "<account>" account on the "<new phone>" needs additional verification

      @ios
      Examples: iPhone
        | old phone  | new phone  | account   |
        | old iPhone | new iPhone | Microsoft |
        | old iPhone | new iPhone | Contoso   |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         | account   |
        | old Android phone | new Android phone | Microsoft |
        | old Android phone | new Android phone | Contoso   |

    @verify @REQ-VERIFY-01
    Scenario Outline: The alert goes away once every waiting account is verified
      Given Alex has backed up the accounts "Microsoft with sign-in notifications, Contoso with sign-in notifications, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      And Alex has allowed camera access on the "<new phone>"
      And "Contoso" has given Alex a new QR code
      When Alex verifies the "Microsoft" account on the "<new phone>" with a code sent to the alternate email address
      And Alex recovers the "Contoso" account on the "<new phone>" by scanning the QR code
      Then the "<new phone>" shows no alert about additional verification

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    @verify @REQ-VERIFY-02 @negative
    Scenario Outline: A waiting account shows no code and cannot approve a sign-in
      Given Alex has backed up the accounts "Microsoft with sign-in notifications, Contoso with sign-in notifications" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      And Alex signs in to the "Microsoft" account elsewhere
      When Alex approves the sign-in on the "<new phone>"
      # what the app says is its own: the documents say only that the sign-in fails
      Then the sign-in is not approved
      And the "Microsoft" account on the "<new phone>" shows no code
      And the "Contoso" account on the "<new phone>" shows no code

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    # Only the proof of identity makes the phone's own credential (000 and 002 "Recover
    # accounts requiring more verification"): closing and opening the app is no proof.
    @verify @REQ-VERIFY-02 @negative
    Scenario Outline: A waiting account still waits after the app is closed and opened again
      Given Alex has backed up the accounts "Microsoft with sign-in notifications, Contoso with sign-in notifications" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      When Alex closes the app on the "<new phone>" and opens it again
      And Alex signs in to the "Microsoft" account elsewhere
      And Alex approves the sign-in on the "<new phone>"
      Then the sign-in is not approved
      And the "Microsoft" account on the "<new phone>" shows no code
      And the "Contoso" account on the "<new phone>" shows no code

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    @verify @REQ-VERIFY-02
    Scenario Outline: Once verified, the account shows codes and approves sign-ins; the others still wait
      Given Alex has backed up the accounts "Microsoft with sign-in notifications, Contoso with sign-in notifications" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      When Alex verifies the "Microsoft" account on the "<new phone>" with a code sent to the alternate email address
      And Alex signs in to the "Microsoft" account elsewhere
      And Alex approves the sign-in on the "<new phone>"
      Then the sign-in is approved
      And the "Microsoft" account on the "<new phone>" shows a code its provider accepts
      And the "Contoso" account on the "<new phone>" needs additional verification

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    # 000 "Recover accounts requiring more verification": the credential is the phone's
    # own, so each new phone is verified for itself, whatever happened on another one.
    @verify @REQ-VERIFY-02
    Scenario Outline: Verified on one new phone, the account still waits on the next one
      Given Alex has backed up the accounts "Microsoft with sign-in notifications" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      And Alex has the app on the "<spare phone>"
      When Alex verifies the "Microsoft" account on the "<new phone>" with a code sent to the alternate email address
      And Alex begins recovery on the "<spare phone>"
      Then the "Microsoft" account on the "<spare phone>" needs additional verification
      And the "Microsoft" account on the "<spare phone>" shows no code

      @ios
      Examples: iPhone
        | old phone  | new phone  | spare phone  |
        | old iPhone | new iPhone | spare iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         | spare phone         |
        | old Android phone | new Android phone | spare Android phone |

  Rule: The personal Microsoft account is verified with its password and a code

    @verify @REQ-VERIFY-03
    Scenario Outline: The waiting personal account offers to sign in to recover
      Given Alex has backed up the accounts "Microsoft with sign-in notifications, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      Then the "Microsoft" account on the "<new phone>" offers the option to sign in to recover

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    @verify @REQ-VERIFY-03
    Scenario Outline: Alex confirms with a code sent to the alternate <address>
      Given Alex has backed up the accounts "Microsoft with sign-in notifications" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      When Alex signs in to recover the "Microsoft" account on the "<new phone>" with a code to the alternate <address>
      Then the app answers "CODE_SENT"
      And a code is sent to Alex's alternate <address>
      When Alex enters the code sent to the alternate <address> for the "Microsoft" account on the "<new phone>"
      Then the app answers "OK"
      And the "Microsoft" account on the "<new phone>" is ready to use

      @ios
      Examples: iPhone
        | old phone  | new phone  | address       |
        | old iPhone | new iPhone | email address |
        | old iPhone | new iPhone | phone number  |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         | address       |
        | old Android phone | new Android phone | email address |
        | old Android phone | new Android phone | phone number  |

    @verify @REQ-VERIFY-03 @negative @ios
    Scenario: No code can go to an alternate phone number that is not on the account
      Given Blake has a personal Microsoft account without an alternate phone number
      And Blake has backed up the accounts "Microsoft with sign-in notifications" on the "Blake's old iPhone"
      And Blake has the app on the "Blake's new iPhone"
      And Blake has recovered the backup on the "Blake's new iPhone"
      When Blake signs in to recover the "Microsoft" account on the "Blake's new iPhone" with a code to the alternate phone number
      Then verification is refused with "NO_SUCH_CHANNEL"
      And the "Microsoft" account on the "Blake's new iPhone" needs additional verification

    @verify @REQ-VERIFY-04 @negative @ios
    Scenario: A wrong password sends no code, and the right one still works
      Given Alex has backed up the accounts "Microsoft with sign-in notifications" on the "old iPhone"
      And Alex has the app on the "new iPhone"
      And Alex has recovered the backup on the "new iPhone"
      When Alex signs in to recover the "Microsoft" account on the "new iPhone" with a wrong password
      Then verification is refused with "SIGN_IN_FAILED"
      And nothing is sent to Alex's alternate email address
      And the "Microsoft" account on the "new iPhone" needs additional verification
      When Alex signs in to recover the "Microsoft" account on the "new iPhone" with a code to the alternate email address
      And Alex enters the code sent to the alternate email address for the "Microsoft" account on the "new iPhone"
      Then the app answers "OK"

    # Each personal account proves its identity with its own password (000/002: "your
    # password" for the account being recovered); the recovery account's does not do.
    @verify @REQ-VERIFY-04 @negative
    Scenario Outline: A second personal account is not released by the recovery account's password
      Given Alex has another personal Microsoft account called "Family"
      And Alex has backed up the accounts "Microsoft with sign-in notifications, Family with sign-in notifications" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      When Alex signs in to recover the "Family" account on the "<new phone>" with the password of the "Microsoft" account
      Then verification is refused with "SIGN_IN_FAILED"
      And the "Family" account on the "<new phone>" needs additional verification
      And the "Family" account on the "<new phone>" shows no code
      When Alex signs in to recover the "Family" account on the "<new phone>" with a code to the alternate email address
      Then the app answers "CODE_SENT"

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    # A code proves the identity of the account it was sent for, and of no other.
    @verify @REQ-VERIFY-04 @negative
    Scenario Outline: A code sent for one waiting personal account does not verify another
      Given Alex has another personal Microsoft account called "Family"
      And Alex has backed up the accounts "Microsoft with sign-in notifications, Family with sign-in notifications" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      When Alex signs in to recover the "Microsoft" account on the "<new phone>" with a code to the alternate email address
      And Alex notes the code sent to the alternate email address of the "Microsoft" account
      And Alex signs in to recover the "Family" account on the "<new phone>" with a code to the alternate email address
      And Alex enters the noted code for the "Family" account on the "<new phone>"
      Then verification is refused
      And the "Family" account on the "<new phone>" needs additional verification
      # a wrong entry may use the code up (the documents give codes no number of tries),
      # and a service may send codes only so often: once the code's lifetime is over, a
      # fresh one is asked for
      When the declared lifetime of an emailed or texted code passes
      And Alex signs in to recover the "Family" account on the "<new phone>" with a code to the alternate email address
      And Alex enters the code sent to the alternate email address for the "Family" account on the "<new phone>"
      Then the app answers "OK"
      And the "Family" account on the "<new phone>" is ready to use

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    @verify @REQ-VERIFY-04 @negative @ios
    Scenario: A wrong code is refused, and the account can still be verified
      Given Alex has backed up the accounts "Microsoft with sign-in notifications" on the "old iPhone"
      And Alex has the app on the "new iPhone"
      And Alex has recovered the backup on the "new iPhone"
      When Alex signs in to recover the "Microsoft" account on the "new iPhone" with a code to the alternate email address
      And Alex enters a wrong code for the "Microsoft" account on the "new iPhone"
      Then verification is refused with "WRONG_CODE"
      And the "Microsoft" account on the "new iPhone" needs additional verification
      # a wrong entry may use the code up, and a service may send codes only so often:
      # once the code's lifetime is over, a fresh one is asked for
      When the declared lifetime of an emailed or texted code passes
      And Alex signs in to recover the "Microsoft" account on the "new iPhone" with a code to the alternate email address
      And Alex enters the code sent to the alternate email address for the "Microsoft" account on the "new iPhone"
      Then the app answers "OK"
      And the "Microsoft" account on the "new iPhone" is ready to use

    @verify @REQ-SECURITY-05 @negative @ios
    Scenario: An expired code is refused, and a fresh one works
      Given Alex has backed up the accounts "Microsoft with sign-in notifications" on the "old iPhone"
      And Alex has the app on the "new iPhone"
      And Alex has recovered the backup on the "new iPhone"
      When Alex signs in to recover the "Microsoft" account on the "new iPhone" with a code to the alternate email address
      And the declared lifetime of an emailed or texted code passes
      And Alex enters the code sent to the alternate email address for the "Microsoft" account on the "new iPhone"
      Then verification is refused with "WRONG_CODE"
      And the "Microsoft" account on the "new iPhone" needs additional verification
      When Alex signs in to recover the "Microsoft" account on the "new iPhone" with a code to the alternate email address
      And Alex enters the code sent to the alternate email address for the "Microsoft" account on the "new iPhone"
      Then the app answers "OK"

    @verify @REQ-SECURITY-05 @negative @ios
    Scenario: A code that was already used is refused on another phone
      Given Alex has backed up the accounts "Microsoft with sign-in notifications" on the "old iPhone"
      And Alex has the app on the "new iPhone"
      And Alex has recovered the backup on the "new iPhone"
      And Alex has the app on the "spare iPhone"
      And Alex has recovered the backup on the "spare iPhone"
      When Alex verifies the "Microsoft" account on the "new iPhone" with a code sent to the alternate email address
      And Alex signs in to recover the "Microsoft" account on the "spare iPhone" with a code to the alternate email address
      And Alex enters the code already used on the "new iPhone" for the "Microsoft" account on the "spare iPhone"
      Then verification is refused with "WRONG_CODE"
      And the "Microsoft" account on the "spare iPhone" needs additional verification

  Rule: A work or school account is verified with a QR code from the organisation

    @verify @REQ-VERIFY-05
    Scenario Outline: The waiting work account offers to scan a QR code to recover
      Given Alex has backed up the accounts "Contoso with sign-in notifications, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      Then the "Contoso" account on the "<new phone>" offers the option to scan a QR code to recover

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    @verify @REQ-VERIFY-05
    Scenario Outline: Scanning a new QR code from Contoso recovers the work account
      Given Alex has backed up the accounts "Contoso with sign-in notifications, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      And Alex has allowed camera access on the "<new phone>"
      And "Contoso" has given Alex a new QR code
      When Alex scans the QR code to recover the "Contoso" account on the "<new phone>"
      Then the app answers "OK"
      And the "Contoso" account on the "<new phone>" is ready to use
      And the "Contoso" account on the "<new phone>" shows a code its provider accepts

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |

    @verify @REQ-VERIFY-02 @ios
    Scenario: The recovered work account approves sign-ins from the new phone
      Given Alex has backed up the accounts "Contoso with sign-in notifications" on the "old iPhone"
      And Alex has the app on the "new iPhone"
      And Alex has recovered the backup on the "new iPhone"
      And Alex has allowed camera access on the "new iPhone"
      And "Contoso" has given Alex a new QR code
      When Alex recovers the "Contoso" account on the "new iPhone" by scanning the QR code
      And Alex signs in to the "Contoso" account elsewhere
      And Alex approves the sign-in on the "new iPhone"
      Then the sign-in is approved

    @verify @REQ-VERIFY-06 @negative
    Scenario Outline: A QR code that does not prove who Alex is (<qr>) is refused; a new one from Contoso works
      Given Alex has backed up the accounts "Contoso with sign-in notifications, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      And Alex has allowed camera access on the "<new phone>"
      And Alex holds <qr>
      When Alex scans the held QR code to recover the "Contoso" account on the "<new phone>"
      Then recovering the account is refused as "QR not accepted"
      And the "Contoso" account on the "<new phone>" needs additional verification
      And the "Contoso" account on the "<new phone>" shows no code
      And the "Contoso" administrator does not see the "<new phone>" as registered
      When "Contoso" gives Alex a new QR code
      And Alex scans the QR code to recover the "Contoso" account on the "<new phone>"
      Then the app answers "OK"
      And the "Contoso" account on the "<new phone>" is ready to use

      @ios
      Examples: on an iPhone, codes that do not prove who Alex is
        | old phone  | new phone  | qr                                          |
        | old iPhone | new iPhone | a new QR code Contoso issued for Blake      |
        | old iPhone | new iPhone | a new QR code Fabrikam issued for Alex      |

      @android @profile-current
      Examples: on an Android phone, codes that do not prove who Alex is
        | old phone         | new phone         | qr                                              |
        | old Android phone | new Android phone | a new QR code Contoso issued for Blake          |
        | old Android phone | new Android phone | a new QR code Fabrikam issued for Alex          |

    @verify @REQ-SECURITY-06 @negative
    Scenario Outline: A QR code that was used or has expired (<qr>) is refused; a new one from Contoso works
      Given Alex has backed up the accounts "Contoso with sign-in notifications, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      And Alex has allowed camera access on the "<new phone>"
      And Alex holds <qr>
      When Alex scans the held QR code to recover the "Contoso" account on the "<new phone>"
      Then recovering the account is refused as "QR not accepted"
      And the "Contoso" account on the "<new phone>" needs additional verification
      And the "Contoso" account on the "<new phone>" shows no code
      And the "Contoso" administrator does not see the "<new phone>" as registered
      When "Contoso" gives Alex a new QR code
      And Alex scans the QR code to recover the "Contoso" account on the "<new phone>"
      Then the app answers "OK"
      And the "Contoso" account on the "<new phone>" is ready to use

      @ios
      Examples: on an iPhone, codes used or past their lifetime
        | old phone  | new phone  | qr                                          |
        | old iPhone | new iPhone | the QR code that set up the "old iPhone"    |
        | old iPhone | new iPhone | a QR code from Contoso past its lifetime    |

      @android @profile-current
      Examples: on an Android phone, codes used or past their lifetime
        | old phone         | new phone         | qr                                              |
        | old Android phone | new Android phone | the QR code that set up the "old Android phone" |
        | old Android phone | new Android phone | a QR code from Contoso past its lifetime        |

    @verify @REQ-VERIFY-08 @negative
    Scenario Outline: An image that holds no activation code (<qr>) is refused and the account keeps waiting
      Given Alex has backed up the accounts "Contoso with sign-in notifications, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      And Alex has allowed camera access on the "<new phone>"
      And Alex holds <qr>
      When Alex scans the held QR code to recover the "Contoso" account on the "<new phone>"
      Then recovering the account is refused as "QR not accepted"
      And the "Contoso" account on the "<new phone>" needs additional verification
      And the "Contoso" account on the "<new phone>" shows no code
      And the "Contoso" administrator does not see the "<new phone>" as registered

      @ios
      Examples: on an iPhone, images that hold no activation code
        | old phone  | new phone  | qr                                           |
        | old iPhone | new iPhone | a damaged photo of a new QR code from Contoso |
        | old iPhone | new iPhone | the QR code of the "GitHub" account          |

      @android @profile-current
      Examples: on an Android phone, images that hold no activation code
        | old phone         | new phone         | qr                                           |
        | old Android phone | new Android phone | a damaged photo of a new QR code from Contoso |
        | old Android phone | new Android phone | the QR code of the "GitHub" account          |

    @verify @REQ-VERIFY-06
    Scenario Outline: After an image with no activation code (<qr>) was refused, a new QR code from Contoso still recovers the account
      Given Alex has backed up the accounts "Contoso with sign-in notifications, GitHub" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      And Alex has allowed camera access on the "<new phone>"
      And Alex holds <qr>
      And Alex has had the held QR code refused when recovering the "Contoso" account on the "<new phone>"
      When "Contoso" gives Alex a new QR code
      And Alex scans the QR code to recover the "Contoso" account on the "<new phone>"
      Then the app answers "OK"
      And the "Contoso" account on the "<new phone>" is ready to use

      @ios
      Examples: on an iPhone, images that hold no activation code
        | old phone  | new phone  | qr                                           |
        | old iPhone | new iPhone | a damaged photo of a new QR code from Contoso |
        | old iPhone | new iPhone | the QR code of the "GitHub" account          |

      @android @profile-current
      Examples: on an Android phone, images that hold no activation code
        | old phone         | new phone         | qr                                           |
        | old Android phone | new Android phone | a damaged photo of a new QR code from Contoso |
        | old Android phone | new Android phone | the QR code of the "GitHub" account          |

    @verify @REQ-SECURITY-06 @negative
    Scenario Outline: A QR code used once to recover cannot be used again on another phone
      Given Alex has backed up the accounts "Contoso with sign-in notifications" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has the app on the "<spare phone>"
      And Alex has recovered the backup on the "<new phone>"
      And Alex has recovered the backup on the "<spare phone>"
      And Alex has allowed camera access on the "<new phone>"
      And Alex has allowed camera access on the "<spare phone>"
      And "Contoso" has given Alex a new QR code
      And Alex has scanned the QR code to recover the "Contoso" account on the "<new phone>"
      When Alex scans the QR code to recover the "Contoso" account on the "<spare phone>"
      Then recovering the account is refused as "QR not accepted"
      And the "Contoso" account on the "<spare phone>" needs additional verification
      And the "Contoso" administrator does not see the "<spare phone>" as registered

      @ios
      Examples: iPhone
        | old phone  | new phone  | spare phone  |
        | old iPhone | new iPhone | spare iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         | spare phone         |
        | old Android phone | new Android phone | spare Android phone |

  Rule: The new phone makes its own notification credential

    @verify @REQ-VERIFY-07 @security
    # Whether the old phone still approves sign-ins once the new one is verified (or the
    # approvals move to the new phone), the documents do not say.
    Scenario Outline: Verification makes a new device key of the new phone's own
      Given Alex has backed up the accounts "Microsoft with sign-in notifications" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      When Alex verifies the "Microsoft" account on the "<new phone>" with a code sent to the alternate email address
      Then the "<new phone>" holds a device key of its own
      And the "<new phone>" holds none of the device keys of the "<old phone>"

      @ios
      Examples: iPhone
        | old phone  | new phone  |
        | old iPhone | new iPhone |

      @android @profile-current
      Examples: Android phone
        | old phone         | new phone         |
        | old Android phone | new Android phone |
