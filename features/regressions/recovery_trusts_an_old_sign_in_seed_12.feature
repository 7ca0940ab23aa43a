@regression
Feature: Counterexample found by model-based exploration
  Found against sim with mutant recovery_trusts_an_old_sign_in by `authconform explore --sut sim --mutant recovery_trusts_an_old_sign_in --seed 12`,
  then shrunk by Hypothesis. The steps are the explorer's program; each Then is what
  the reference model expects at that point. The reference simulator passes it.
  What went wrong: REQ-RECOVERY-04: expected SIGN_IN_FAILED, the app answered OK: 'Recovered 0 account(s).'

  @REQ-SECURITY-03 @REQ-RECOVERY-04 @recovery
  # Edited after it was written: which refusal comes first on a phone whose backup is on
  # is not documented, so any refusal passes (the mutant answered OK).
  Scenario: Counterexample: when Alex begins recovery on the "iPhone 1" with a wrong password, recovery is refused
    Given Alex has a personal Microsoft account
    And Alex has an Apple ID
    And Alex has the app on the "iPhone 1"
    When Alex turns on backup on the "iPhone 1"
    Then the app answers "OK"
    When Alex begins recovery on the "iPhone 1" with a wrong password
    Then recovery is refused
