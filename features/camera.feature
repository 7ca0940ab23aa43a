Feature: Camera permission and typing codes by hand
  The first time the app wants the camera to read a QR code, the phone asks for permission
  in its own words. With the camera allowed, scanning works; with it refused, Alex can
  still type the secret of a third-party account, or a work account's activation code
  and URL.

  Background:
    Given Alex has a personal Microsoft account
    And Alex has a third-party "GitHub" account
    And Alex has a third-party "Facebook" account
    And Alex has a work account at "Contoso"

  Rule: The phone asks in its own words, and not again once the camera is allowed

    @camera @REQ-CAMERA-01 @profile-current
    Scenario Outline: The first scan asks for camera permission
      Given Alex has the app on the "<phone>"
      When Alex scans the QR code of the "GitHub" account with the "<phone>"
      Then the app answers "CAMERA_PERMISSION_NEEDED"
      And the "<phone>" asks for permission to <wording>
      And the "<phone>" shows no accounts

      @ios
      Examples: iPhone
        | phone      | wording           |
        | new iPhone | access the camera |

      @android
      Examples: Android phone
        | phone             | wording                         |
        | new Android phone | take pictures and record video |

    # The first use of the camera may come when a restored work account is recovered.
    @camera @REQ-CAMERA-01 @profile-current
    Scenario Outline: Scanning to recover a work account asks for the camera when it is the first scan
      Given Alex has backed up the accounts "Contoso" on the "<old phone>"
      And Alex has the app on the "<new phone>"
      And Alex has recovered the backup on the "<new phone>"
      And "Contoso" has given Alex a new QR code
      When Alex scans the QR code to recover the "Contoso" account on the "<new phone>"
      Then the app answers "CAMERA_PERMISSION_NEEDED"
      And the "<new phone>" asks for permission to <wording>
      And the "Contoso" account on the "<new phone>" needs additional verification

      @ios
      Examples: iPhone
        | old phone  | new phone  | wording           |
        | old iPhone | new iPhone | access the camera |

      @android
      Examples: Android phone
        | old phone         | new phone         | wording                        |
        | old Android phone | new Android phone | take pictures and record video |

    @camera @REQ-CAMERA-01 @REQ-CAMERA-02 @profile-current
    Scenario Outline: Once allowed, the camera is not asked for again
      Given Alex has the app on the "<phone>"
      When Alex scans the QR code of the "GitHub" account with the "<phone>"
      And Alex allows camera access on the "<phone>"
      And Alex finishes scanning the QR code of the "GitHub" account with the "<phone>"
      Then the app answers "OK"
      And the "<phone>" shows the accounts "GitHub" and no others
      When Alex scans the QR code of the "Facebook" account with the "<phone>"
      Then the app answers "OK"
      And the "<phone>" shows no camera prompt
      And the "<phone>" shows the accounts "GitHub, Facebook" and no others

      @ios
      Examples: iPhone
        | phone      |
        | new iPhone |

      @android
      Examples: Android phone
        | phone             |
        | new Android phone |

    @camera @REQ-CAMERA-01 @profile-current @ios
    Scenario: On an iPhone, a refused camera is not asked for again
      Given Alex has the app on the "new iPhone"
      When Alex scans the QR code of the "GitHub" account with the "new iPhone"
      And Alex denies camera access on the "new iPhone"
      And Alex scans the QR code of the "GitHub" account with the "new iPhone"
      Then the "new iPhone" shows no camera prompt

    @camera @REQ-CAMERA-03 @profile-current @negative
    Scenario Outline: Once the camera is refused, scanning adds nothing
      Given Alex has the app on the "<phone>"
      When Alex scans the QR code of the "GitHub" account with the "<phone>"
      And Alex denies camera access on the "<phone>"
      And Alex scans the QR code of the "GitHub" account with the "<phone>"
      Then the "<phone>" does not scan, and says the camera is off or asks for it again
      And the "<phone>" shows no accounts

      @ios
      Examples: iPhone
        | phone      |
        | new iPhone |

      @android
      Examples: Android phone
        | phone             |
        | new Android phone |

  Rule: With the camera allowed, a QR code adds or recovers the account it shows

    @camera @REQ-CAMERA-02 @profile-current @ios
    Scenario: Scanning a site's QR code adds a working account
      Given Alex has the app on the "new iPhone"
      And Alex has allowed camera access on the "new iPhone"
      When Alex scans the QR code of the "GitHub" account with the "new iPhone"
      Then the app answers "OK"
      And the "GitHub" account on the "new iPhone" shows a code its provider accepts

    @camera @REQ-CAMERA-02 @profile-current @android
    Scenario: Scanning an activation QR code adds the work account
      Given Alex has the app on the "new Android phone"
      And Alex has allowed camera access on the "new Android phone"
      And "Contoso" has given Alex a new QR code
      When Alex adds the "Contoso" account to the "new Android phone" by scanning the QR code
      Then the app answers "OK"
      And the "Contoso" account on the "new Android phone" shows a code its provider accepts

  Rule: With the camera refused, the details can be typed instead

    @camera @REQ-CAMERA-03 @profile-current
    Scenario Outline: Typing a site's secret adds a working account
      Given Alex has the app on the "<phone>"
      And Alex has denied camera access on the "<phone>"
      When Alex types in the secret of the "GitHub" account on the "<phone>"
      Then the app answers "OK"
      And the "GitHub" account on the "<phone>" shows a code its provider accepts

      @ios
      Examples: iPhone
        | phone      |
        | new iPhone |

      @android
      Examples: Android phone
        | phone             |
        | new Android phone |

    @camera @REQ-CAMERA-03 @profile-current
    Scenario Outline: Typing the activation code and URL adds the work account
      Given Alex has the app on the "<phone>"
      And Alex has denied camera access on the "<phone>"
      And "Contoso" has given Alex a new QR code
      When Alex adds the "Contoso" account to the "<phone>" by typing the code and URL from the QR code
      Then the app answers "OK"
      And the "Contoso" account on the "<phone>" shows a code its provider accepts

      @ios
      Examples: iPhone
        | phone      |
        | new iPhone |

      @android
      Examples: Android phone
        | phone             |
        | new Android phone |

    @camera @REQ-CAMERA-03 @profile-current @ios
    Scenario: A work account waiting for verification is recovered by typing the code and URL
      Given Alex has backed up the accounts "Contoso with sign-in notifications" on the "old iPhone"
      And Alex has the app on the "new iPhone"
      And Alex has recovered the backup on the "new iPhone"
      And Alex has denied camera access on the "new iPhone"
      And "Contoso" has given Alex a new QR code
      When Alex scans the QR code to recover the "Contoso" account on the "new iPhone"
      Then the "new iPhone" does not scan, and says the camera is off or asks for it again
      When Alex types the code and URL from the QR code to recover the "Contoso" account on the "new iPhone"
      Then the app answers "OK"
      And the "Contoso" account on the "new iPhone" is ready to use

    @camera @REQ-CAMERA-04 @profile-current
    Scenario Outline: Camera access turned off later in the phone's settings stops scanning
      Given Alex has the app on the "<phone>"
      And Alex has allowed camera access on the "<phone>"
      When Alex turns off camera access for the app in the "<phone>" settings
      And Alex scans the QR code of the "GitHub" account with the "<phone>"
      Then the "<phone>" does not scan, and says the camera is off or asks for it again
      And the "<phone>" shows no accounts

      @ios
      Examples: iPhone
        | phone      |
        | new iPhone |

      @android
      Examples: Android phone
        | phone             |
        | new Android phone |

    @camera @REQ-CAMERA-03 @profile-current
    Scenario Outline: With camera access turned off later in the phone's settings, typing still adds the accounts
      Given Alex has the app on the "<phone>"
      And Alex has allowed camera access on the "<phone>"
      And "Contoso" has given Alex a new QR code
      And Alex has turned off camera access for the app in the "<phone>" settings, and scanning stopped
      When Alex types in the secret of the "GitHub" account on the "<phone>"
      Then the app answers "OK"
      When Alex adds the "Contoso" account to the "<phone>" by typing the code and URL from the QR code
      Then the app answers "OK"
      And the "GitHub" account on the "<phone>" shows a code its provider accepts
      And the "Contoso" account on the "<phone>" shows a code its provider accepts

      @ios
      Examples: iPhone
        | phone      |
        | new iPhone |

      @android
      Examples: Android phone
        | phone             |
        | new Android phone |

    @camera @REQ-CAMERA-03 @profile-current @negative @ios
    Scenario: A mistyped secret is refused and adds nothing
      Given Alex has the app on the "new iPhone"
      And Alex has denied camera access on the "new iPhone"
      When Alex types "NOT A SECRET!" as the secret of the "GitHub" account on the "new iPhone"
      Then adding the account is refused with "INVALID_ENTRY"
      And the "new iPhone" shows no accounts

    @camera @REQ-CAMERA-03 @profile-current @negative @ios
    Scenario: A mistyped activation code is refused and adds nothing
      Given Alex has the app on the "new iPhone"
      And Alex has denied camera access on the "new iPhone"
      And "Contoso" has given Alex a new QR code
      When Alex types the URL from the QR code with a wrong activation code on the "new iPhone"
      Then adding the account is refused
      And the "new iPhone" shows no accounts
