from tests.helpers import PASSWORD, csrf_form


def _signup_form(token: str, **overrides: str) -> dict[str, str]:
    form = {"_csrf_token": token, "email": "web@example.com", "handle": "web_user",
            "password": PASSWORD, "country": "MY", "birth_date": "1994-02-03", "next": "/"}
    form.update(overrides)
    return form


def test_sign_up_on_the_web_logs_the_user_in(client):
    token = csrf_form(client, "/signup")
    response = client.post("/signup", data=_signup_form(token), follow_redirects=False)
    assert response.status_code in (302, 303)
    assert "cc_session" in response.cookies
    home = client.get("/")
    assert "@web_user" in home.text
    assert "Malaysia" in home.text


def test_forms_without_the_csrf_token_are_refused(client, db):
    client.get("/signup")
    response = client.post("/signup", data=_signup_form("forged"))
    assert response.status_code == 403
    from clipcart.identity.models import User

    with db.sessions() as session:
        assert session.query(User).count() == 0


def test_sign_up_errors_re_render_the_form_with_the_message(client):
    token = csrf_form(client, "/signup")
    response = client.post("/signup", data=_signup_form(token, email="bad"))
    assert response.status_code == 400
    assert "Enter a valid e-mail address." in response.text
    assert 'value="web_user"' in response.text  # what was typed is kept
    assert PASSWORD not in response.text


def test_log_in_log_out_and_a_wrong_password(client):
    token = csrf_form(client, "/signup")
    client.post("/signup", data=_signup_form(token))
    token = csrf_form(client, "/")
    assert client.post("/logout", data={"_csrf_token": token}).status_code == 200
    assert "@web_user" not in client.get("/").text
    token = csrf_form(client, "/login")
    wrong = client.post("/login", data={"_csrf_token": token, "email": "web@example.com",
                                        "password": "wrong-password"})
    assert wrong.status_code == 401
    assert "Wrong e-mail or password." in wrong.text
    ok = client.post("/login", data={"_csrf_token": token, "email": "web@example.com",
                                     "password": PASSWORD, "next": "/notifications"})
    assert ok.status_code == 200
    assert "Welcome to clipcart" in ok.text  # the welcome notification, from the outbox


def test_log_in_never_redirects_off_site(client):
    token = csrf_form(client, "/signup")
    response = client.post("/signup", data=_signup_form(token, next="//evil.example"),
                           follow_redirects=False)
    assert response.headers["location"] == "/"


def test_pages_needing_a_user_send_visitors_to_log_in(client):
    response = client.get("/notifications", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"] == "/login?next=/notifications"


def test_unknown_pages_get_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Back to home" in response.text
