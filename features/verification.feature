Feature: Additional verification of restored accounts
  Accounts that approve sign-ins with notifications, and work or school accounts, need a
  credential made on the phone itself. After recovery they wait until Alex proves who
  they are: with the password and a code sent to the alternate email address or phone
  number for the personal Microsoft account, with a QR code from the organisation for a
  work or school account.

  Background:
    Given Alex has a personal Microsoft account
    And Alex has a work account at "Contoso"
    And Alex has a third-party "GitHub" account
    And Alex has the app on the "old iPhone"
    And Alex has added the "Microsoft" account with sign-in notifications to the "old iPhone"
    And Alex has added the "Contoso" account with sign-in notifications to the "old iPhone"
    And Alex has added the "GitHub" account to the "old iPhone"
    And Alex has turned on backup on the "old iPhone"
    And Alex has the app on the "new iPhone"
    And Alex has recovered the backup on the "new iPhone"

  Rule: Restored notification and work accounts wait, and the app says so

    @verify @REQ-VERIFY-01 @ios
    Scenario: The app alerts Alex that some accounts need more verification
      Then the "new iPhone" alerts that additional verification is needed
      And the alert on the "new iPhone" counts or names the 2 waiting accounts
      And the "Microsoft" account on the "new iPhone" needs additional verification
      And the "Contoso" account on the "new iPhone" needs additional verification
      And the "GitHub" account on the "new iPhone" is ready to use

    @verify @REQ-VERIFY-01 @ios
    Scenario: The alert goes away once every waiting account is verified
      Given Alex has allowed camera access on the "new iPhone"
      And "Contoso" has given Alex a new QR code
      When Alex signs in to recover the "Microsoft" account on the "new iPhone" with a code to the alternate email address
      And Alex enters the code sent to the alternate email address for the "Microsoft" account on the "new iPhone"
      And Alex scans the QR code to recover the "Contoso" account on the "new iPhone"
      Then the app answers "OK"
      And the "new iPhone" shows no alert about additional verification

    @verify @REQ-VERIFY-02 @negative @ios
    Scenario: A waiting account shows no code and cannot approve a sign-in
      Given Alex signs in to the "Microsoft" account elsewhere
      When Alex approves the sign-in on the "new iPhone"
      Then approving is refused with "VERIFICATION_REQUIRED"
      And the sign-in is not approved
      And the "Microsoft" account on the "new iPhone" shows no code
      And the "Contoso" account on the "new iPhone" shows no code

    @verify @REQ-VERIFY-02 @REQ-VERIFY-03 @ios
    Scenario: Once verified, the account shows codes and approves sign-ins; the others still wait
      When Alex signs in to recover the "Microsoft" account on the "new iPhone" with a code to the alternate email address
      And Alex enters the code sent to the alternate email address for the "Microsoft" account on the "new iPhone"
      And Alex signs in to the "Microsoft" account elsewhere
      And Alex approves the sign-in on the "new iPhone"
      Then the sign-in is approved
      And the "Microsoft" account on the "new iPhone" shows a code its provider accepts
      And the "Contoso" account on the "new iPhone" needs additional verification
      And the "new iPhone" alerts that additional verification is needed

  Rule: The personal Microsoft account is verified with its password and a code

    @verify @REQ-VERIFY-03 @ios
    Scenario Outline: Alex confirms with a code sent to the alternate <address>
      When Alex signs in to recover the "Microsoft" account on the "new iPhone" with a code to the alternate <address>
      Then the app answers "CODE_SENT"
      And a code is sent to Alex's alternate <address>
      When Alex enters the code sent to the alternate <address> for the "Microsoft" account on the "new iPhone"
      Then the app answers "OK"
      And the "Microsoft" account on the "new iPhone" is ready to use

      Examples:
        | address       |
        | email address |
        | phone number  |

    @verify @REQ-VERIFY-03 @negative @ios
    Scenario: No code can go to an alternate phone number that is not on the account
      Given Blake has a personal Microsoft account without an alternate phone number
      And Blake has the app on the "Blake's old iPhone"
      And Blake has added the "Microsoft" account with sign-in notifications to the "Blake's old iPhone"
      And Blake has turned on backup on the "Blake's old iPhone"
      And Blake has the app on the "Blake's new iPhone"
      And Blake has recovered the backup on the "Blake's new iPhone"
      When Blake signs in to recover the "Microsoft" account on the "Blake's new iPhone" with a code to the alternate phone number
      Then verification is refused with "NO_SUCH_CHANNEL"
      And the "Microsoft" account on the "Blake's new iPhone" needs additional verification

    @verify @REQ-VERIFY-04 @negative @ios
    Scenario: A wrong password sends no code, and the right one still works
      When Alex signs in to recover the "Microsoft" account on the "new iPhone" with a wrong password
      Then verification is refused with "SIGN_IN_FAILED"
      And nothing is sent to Alex's alternate email address
      And the "Microsoft" account on the "new iPhone" needs additional verification
      When Alex signs in to recover the "Microsoft" account on the "new iPhone" with a code to the alternate email address
      And Alex enters the code sent to the alternate email address for the "Microsoft" account on the "new iPhone"
      Then the app answers "OK"

    @verify @REQ-VERIFY-04 @negative @ios
    Scenario: A wrong code is refused, and the right one still works
      When Alex signs in to recover the "Microsoft" account on the "new iPhone" with a code to the alternate email address
      And Alex enters a wrong code for the "Microsoft" account on the "new iPhone"
      Then verification is refused with "WRONG_CODE"
      And the "Microsoft" account on the "new iPhone" needs additional verification
      When Alex enters the code sent to the alternate email address for the "Microsoft" account on the "new iPhone"
      Then the app answers "OK"
      And the "Microsoft" account on the "new iPhone" is ready to use

    @verify @REQ-VERIFY-04 @negative @ios
    Scenario: An expired code is refused, and a fresh one works
      When Alex signs in to recover the "Microsoft" account on the "new iPhone" with a code to the alternate email address
      And 11 minutes pass
      And Alex enters the code sent to the alternate email address for the "Microsoft" account on the "new iPhone"
      Then verification is refused with "WRONG_CODE"
      And the "Microsoft" account on the "new iPhone" needs additional verification
      When Alex signs in to recover the "Microsoft" account on the "new iPhone" with a code to the alternate email address
      And Alex enters the code sent to the alternate email address for the "Microsoft" account on the "new iPhone"
      Then the app answers "OK"

    @verify @REQ-VERIFY-04 @negative @ios
    Scenario: A code that was already used is refused on another phone
      Given Alex has the app on the "spare iPhone"
      When Alex signs in to recover the "Microsoft" account on the "new iPhone" with a code to the alternate email address
      And Alex enters the code sent to the alternate email address for the "Microsoft" account on the "new iPhone"
      And Alex begins recovery on the "spare iPhone"
      And Alex enters the code sent to the alternate email address for the "Microsoft" account on the "spare iPhone"
      Then verification is refused with "WRONG_CODE"
      And the "Microsoft" account on the "spare iPhone" needs additional verification

  Rule: A work or school account is verified with a QR code from the organisation

    @verify @REQ-VERIFY-05 @ios
    Scenario: Scanning a new QR code from Contoso recovers the work account
      Given Alex has allowed camera access on the "new iPhone"
      And "Contoso" has given Alex a new QR code
      When Alex scans the QR code to recover the "Contoso" account on the "new iPhone"
      Then the app answers "OK"
      And the "Contoso" account on the "new iPhone" is ready to use
      And the "Contoso" account on the "new iPhone" shows a code its provider accepts

    @verify @REQ-VERIFY-05 @REQ-VERIFY-02 @ios
    Scenario: The recovered work account approves sign-ins from the new phone
      Given Alex has allowed camera access on the "new iPhone"
      And "Contoso" has given Alex a new QR code
      When Alex scans the QR code to recover the "Contoso" account on the "new iPhone"
      And Alex signs in to the "Contoso" account elsewhere
      And Alex approves the sign-in on the "new iPhone"
      Then the sign-in is approved

    @verify @REQ-VERIFY-06 @negative @ios
    Scenario: A QR code issued for another person is refused
      Given Blake has a work account at "Contoso"
      And Alex has allowed camera access on the "new iPhone"
      And "Contoso" has given Blake a new QR code
      When Alex scans the QR code to recover the "Contoso" account on the "new iPhone"
      Then the scan is refused with "QR_REJECTED"
      And the "Contoso" account on the "new iPhone" needs additional verification

    @verify @REQ-VERIFY-06 @negative @ios
    Scenario: A QR code from another organisation is refused
      Given Alex has a work account at "Fabrikam"
      And Alex has allowed camera access on the "new iPhone"
      And "Fabrikam" has given Alex a new QR code
      When Alex scans the QR code to recover the "Contoso" account on the "new iPhone"
      Then the scan is refused with "QR_REJECTED"
      And the "Contoso" account on the "new iPhone" needs additional verification

    @verify @REQ-VERIFY-06 @negative @ios
    Scenario: The QR code that already set up the old phone is refused
      Given Alex has allowed camera access on the "new iPhone"
      When Alex scans the QR code that set up the "old iPhone" to recover the "Contoso" account on the "new iPhone"
      Then the scan is refused with "QR_REJECTED"
      And the "Contoso" account on the "new iPhone" needs additional verification

    @verify @REQ-VERIFY-06 @negative @ios
    Scenario: An expired QR code is refused, and a new one works
      Given Alex has allowed camera access on the "new iPhone"
      And "Contoso" has given Alex a new QR code
      When 2 days pass
      And Alex scans the QR code to recover the "Contoso" account on the "new iPhone"
      Then the scan is refused with "QR_REJECTED"
      And the "Contoso" account on the "new iPhone" needs additional verification

  Rule: The new phone makes its own notification credential

    @verify @REQ-VERIFY-07 @security @ios
    Scenario: Verification makes a new device key; the old phone keeps its own
      When Alex signs in to recover the "Microsoft" account on the "new iPhone" with a code to the alternate email address
      And Alex enters the code sent to the alternate email address for the "Microsoft" account on the "new iPhone"
      Then the "new iPhone" holds a device key of its own
      And the "new iPhone" holds none of the device keys of the "old iPhone"
      When Alex signs in to the "Microsoft" account elsewhere
      And Alex approves the sign-in on the "old iPhone"
      Then the sign-in is approved
