from pytest_bdd import given, scenarios, then

scenarios("../features/smoke.feature")


@given("a person with an iPhone", target_fixture="phone")
def _(target):
    person = target.world.create_person()
    return target.world.create_device(person.id, "ios", "5.7.0")


@then("the phone offers iCloud backup")
def _(target, phone):
    assert target.app.screen(phone).backup_setting == "iCloud backup"
