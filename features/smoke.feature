Feature: smoke
  @REQ-SMOKE-01
  Scenario: a phone can be made
    Given a person with an iPhone
    Then the phone offers iCloud backup
