Feature: The recovery account
  The recovery account is the personal Microsoft account that guards a backup. A work or
  school account cannot take that role, and each storage location is paired with its own
  recovery account.

  Background:
    Given Alex has a personal Microsoft account
    And Alex has a work account at "Contoso"
    And Alex has a third-party "GitHub" account

  @recovacct @REQ-RECOVACCT-01 @negative
  Scenario Outline: A work or school account cannot become the recovery account
    Given Alex has the app on the "<phone>"
    And Alex has added the "GitHub" account to the "<phone>"
    When Alex turns on backup on the "<phone>" signing in with the "Contoso" work account
    Then turning on backup is refused as "not a personal account"
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

  @recovacct @REQ-RECOVACCT-01 @negative
  Scenario Outline: A work or school account cannot be used to recover
    Given Alex has backed up the accounts "GitHub" on the "<old phone>"
    And Alex has the app on the "<new phone>"
    When Alex begins recovery on the "<new phone>" signing in with the "Contoso" work account
    # the app may say it is not a personal account, fail the sign-in, or find no backup
    # for it: the documents do not say which
    Then recovery is refused
    And the "<new phone>" shows no accounts

    @ios
    Examples: iPhone
      | old phone  | new phone  |
      | old iPhone | new iPhone |

    @android @profile-current
    Examples: Android phone
      | old phone         | new phone         |
      | old Android phone | new Android phone |

  # The recovery account is the one Alex signs in with when turning backup on, not a
  # personal account the app happens to hold.
  @recovacct @REQ-RECOVACCT-02
  Scenario Outline: The account Alex signs in with guards the backup, whatever personal account is in the app
    Given Alex has a second personal Microsoft account
    And Alex has the app on the "<old phone>"
    And Alex has added the accounts "Microsoft, GitHub" to the "<old phone>"
    And Alex has turned on backup on the "<old phone>" with the second Microsoft account
    And Alex has the app on the "<new phone>"
    When Alex begins recovery on the "<new phone>" with the second Microsoft account
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

  @recovacct @REQ-RECOVACCT-02 @ios
  Scenario: Two storage locations, each with its own recovery account
    Given Alex has a second personal Microsoft account
    And Alex has a second Apple ID
    And Alex has a third-party "Dropbox" account
    And Alex has backed up the accounts "GitHub" on the "old iPhone"
    And Alex has the app on the "family iPhone" without signing in to iCloud
    And Alex has signed in to iCloud on the "family iPhone" with the second Apple ID
    And Alex has added the "Dropbox" account to the "family iPhone"
    And Alex has turned on backup on the "family iPhone" with the second Microsoft account
    And Alex has the app on the "new iPhone"
    And Alex has the app on the "spare iPhone" without signing in to iCloud
    And Alex has signed in to iCloud on the "spare iPhone" with the second Apple ID
    When Alex begins recovery on the "new iPhone"
    And Alex begins recovery on the "spare iPhone" with the second Microsoft account
    Then the "new iPhone" shows the accounts "GitHub" and no others
    And the "spare iPhone" shows the accounts "Dropbox" and no others

  @recovacct @REQ-RECOVACCT-02 @ios @negative @reading-second_pairing-newest_wins
  Scenario: Pairing the recovery account with a second storage location replaces the first
    Given Alex has a second Apple ID
    And Alex has a third-party "Dropbox" account
    And Alex has backed up the accounts "GitHub" on the "old iPhone"
    And Alex has the app on the "family iPhone" without signing in to iCloud
    And Alex has signed in to iCloud on the "family iPhone" with the second Apple ID
    And Alex has added the "Dropbox" account to the "family iPhone"
    And Alex has turned on backup on the "family iPhone"
    And Alex has the app on the "new iPhone"
    When Alex begins recovery on the "new iPhone"
    Then the "new iPhone" does not show the "GitHub" account

  @recovacct @REQ-RECOVACCT-02 @ios @negative @reading-second_pairing-refused
  Scenario: A recovery account paired with one storage location is refused for a second
    Given Alex has a second Apple ID
    And Alex has a third-party "Dropbox" account
    And Alex has backed up the accounts "GitHub" on the "old iPhone"
    And Alex has the app on the "family iPhone" without signing in to iCloud
    And Alex has signed in to iCloud on the "family iPhone" with the second Apple ID
    And Alex has added the "Dropbox" account to the "family iPhone"
    And Alex has the app on the "new iPhone"
    When Alex turns on backup on the "family iPhone"
    Then turning on backup is refused
    And the "family iPhone" shows backup as off
    When Alex begins recovery on the "new iPhone"
    Then the app answers "OK"
    And the "new iPhone" shows the accounts "GitHub" and no others

  @recovacct @REQ-RECOVACCT-02 @ios @reading-second_pairing-each_keeps_own
  Scenario: Each storage location keeps its own pairing with the recovery account
    Given Alex has a second Apple ID
    And Alex has a third-party "Dropbox" account
    And Alex has backed up the accounts "GitHub" on the "old iPhone"
    And Alex has the app on the "family iPhone" without signing in to iCloud
    And Alex has signed in to iCloud on the "family iPhone" with the second Apple ID
    And Alex has added the "Dropbox" account to the "family iPhone"
    And Alex has turned on backup on the "family iPhone"
    And Alex has the app on the "new iPhone"
    And Alex has the app on the "spare iPhone" without signing in to iCloud
    And Alex has signed in to iCloud on the "spare iPhone" with the second Apple ID
    When Alex begins recovery on the "new iPhone"
    And Alex begins recovery on the "spare iPhone"
    Then the "new iPhone" shows the accounts "GitHub" and no others
    And the "spare iPhone" shows the accounts "Dropbox" and no others
