@regression
Feature: Counterexample found by model-based exploration
  Found against sim with mutant third_party_rekeyed by `authconform explore --sut sim --mutant third_party_rekeyed --seed 7`,
  then shrunk by Hypothesis. The steps are the explorer's program; each Then is what
  the reference model expects at that point. The reference simulator passes it.
  What went wrong: REQ-CODES-03: GitHub on iPhone 2 shows '940745', which its provider refuses

  @REQ-CODES-03 @codes
  Scenario: Counterexample: the "GitHub" account on the "iPhone 2" shows a code its provider accepts
    Given Alex has a personal Microsoft account
    And Alex has an Apple ID
    And Alex has a third-party "GitHub" account
    And Alex has the app on the "iPhone 1"
    When Alex adds the "GitHub" account to the "iPhone 1"
    Then the app answers "OK"
    When Alex turns on backup on the "iPhone 1"
    Then the app answers "OK"
    Given Alex has the app on the "iPhone 2"
    When Alex begins recovery on the "iPhone 2"
    Then the app answers "OK"
    And the "GitHub" account on the "iPhone 2" shows a code its provider accepts
