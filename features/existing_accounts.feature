Feature: Recovery while accounts already exist
  Recovery is refused while the app already holds accounts, so that nothing in it is
  overwritten with older data. Alex removes them first, then recovers.

  Background:
    Given Alex has a personal Microsoft account
    And Alex has a third-party "GitHub" account
    And Alex has a third-party "Dropbox" account
    And Alex has the app on the "old iPhone"
    And Alex has added the accounts "Microsoft, GitHub" to the "old iPhone"
    And Alex has turned on backup on the "old iPhone"
    And Alex has the app on the "new iPhone"

  @existing @REQ-EXISTING-01 @negative @ios @reading-existing_accounts-any
  Scenario: Any account already in the app blocks recovery
    Given Alex has added the "Dropbox" account to the "new iPhone"
    When Alex begins recovery on the "new iPhone"
    Then recovery is refused with "EXISTING_ACCOUNTS"

  @existing @REQ-EXISTING-01 @REQ-EXISTING-04 @negative @ios
  Scenario: The personal Microsoft account already in the app blocks its own recovery
    Given Alex has added the "Microsoft" account to the "new iPhone"
    When Alex begins recovery on the "new iPhone"
    Then recovery is refused with "EXISTING_ACCOUNTS"
    And the "new iPhone" shows the accounts "Microsoft" in that order

  @existing @REQ-EXISTING-02 @negative @ios @reading-existing_accounts-any
  Scenario: A refused recovery changes nothing on the phone or in the cloud
    Given Alex has added the "Dropbox" account to the "new iPhone"
    And Alex has renamed the "Dropbox" account to "Shared files" on the "new iPhone"
    And Alex has the app on the "spare iPhone"
    When Alex begins recovery on the "new iPhone"
    Then recovery is refused with "EXISTING_ACCOUNTS"
    And the "new iPhone" shows the accounts "Dropbox" in that order
    And the "new iPhone" shows the "Dropbox" account named "Shared files"
    And the "Dropbox" account on the "new iPhone" shows a code its provider accepts
    When Alex begins recovery on the "spare iPhone"
    Then the "spare iPhone" shows the accounts "Microsoft, GitHub" in that order

  @existing @REQ-EXISTING-03 @ios
  Scenario: After removing the existing accounts, recovery restores the whole backup
    Given Alex has added the "Dropbox" account to the "new iPhone"
    And Alex has removed the "Dropbox" account from the "new iPhone"
    When Alex begins recovery on the "new iPhone"
    Then the app answers "OK"
    And the "new iPhone" shows the accounts "Microsoft, GitHub" in that order

  @existing @REQ-EXISTING-03 @android @profile-current @reading-existing_accounts-any
  Scenario: On Android too, removing the existing accounts lets recovery through
    Given Alex has the app on the "old Android phone"
    And Alex has added the accounts "Microsoft, GitHub" to the "old Android phone"
    And Alex has turned on backup on the "old Android phone"
    And Alex has the app on the "new Android phone"
    And Alex has added the "Dropbox" account to the "new Android phone"
    When Alex begins recovery on the "new Android phone"
    Then recovery is refused with "EXISTING_ACCOUNTS"
    When Alex removes every account from the "new Android phone"
    And Alex begins recovery on the "new Android phone"
    Then the app answers "OK"
    And the "new Android phone" shows the accounts "Microsoft, GitHub" in that order

  Rule: Under the narrow reading (declared by the target), only the same account blocks recovery

    @existing @REQ-EXISTING-04 @profile-current @ios @reading-existing_accounts-same
    Scenario: An unrelated account stays and the backed-up ones join it
      Given Alex has added the "Dropbox" account to the "new iPhone"
      When Alex begins recovery on the "new iPhone"
      Then the app answers "OK"
      And the "new iPhone" shows the "Dropbox" account
      And the "new iPhone" shows the "Microsoft" account
      And the "new iPhone" shows the "GitHub" account

    @existing @REQ-EXISTING-04 @profile-current @negative @ios @reading-existing_accounts-same
    Scenario: An account from the backup already in the app blocks recovery
      Given Alex has added the "GitHub" account to the "new iPhone"
      When Alex begins recovery on the "new iPhone"
      Then recovery is refused with "EXISTING_ACCOUNTS"
      And the "new iPhone" shows the accounts "GitHub" in that order
