"""Username/password authentication against real nodes with ``authenticationEnabled``
(tests/server/auth.xml; TLS and authentication together with tests/server/tls.xml).

Authentication needs native persistence: the nodes keep their data in their work directory and
are activated on start. The first start creates the user ``ignite`` / ``ignite``; a second user
is created with SQL ``CREATE USER``.
"""

from __future__ import annotations

import traceback
from typing import Any

import pytest
from conftest import activating_probe, raises_within, start_node, tls_context, unique_name
from tls_dataset_run import run_dataset_process, secrets_in
from tls_material import TlsMaterial

from ignite_tf import Client, IgniteAuthenticationError, IgniteTLSError

pytestmark = pytest.mark.usefixtures("hang_guard")

FAST = 15.0
ADMIN = {"username": "ignite", "password": "ignite"}
READER = {"username": "reader", "password": "Reader-Secret-7"}


def create_reader(client: Client) -> None:
    # Quoted: an unquoted name would be upper-cased.
    client.sql(f"CREATE USER \"{READER['username']}\" WITH PASSWORD '{READER['password']}'")


@pytest.fixture(scope="module")
def auth_node(tmp_path_factory: pytest.TempPathFactory) -> Any:
    node = start_node(
        tmp_path_factory.mktemp("auth-node"),
        "auth.xml",
        {},
        activating_probe(**ADMIN),
    )
    try:
        with Client(node.host, node.port, **ADMIN) as admin:
            create_reader(admin)
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="module")
def auth_cache(auth_node: Any) -> str:
    name = unique_name("AUTH_CACHE")
    with Client(auth_node.host, auth_node.port, **ADMIN) as admin:
        admin.create_cache(name)
        admin.put_all(name, [(i, f"row {i}") for i in range(50)])
    return name


def test_default_user_reads_a_cache(auth_node, auth_cache) -> None:
    with Client(auth_node.host, auth_node.port, **ADMIN) as c:
        assert c.size(auth_cache) == 50
        rows = sum(len(b["key"]) for b in c.scan(auth_cache))
        assert rows == 50


def test_user_created_with_sql_reads_a_cache(auth_node, auth_cache) -> None:
    with Client(auth_node.host, auth_node.port, **READER) as c:
        assert c.get(auth_cache, 7) == "row 7"
        assert repr(c) == f"Client('127.0.0.1', {auth_node.port}, username='reader')"
        assert READER["password"] not in repr(c) + str(vars(c))


@pytest.mark.parametrize(
    "credentials, what",
    [
        pytest.param(
            {"username": "reader", "password": "Wrong-Secret-1"},
            "user 'reader'",
            id="wrong-password",
        ),
        pytest.param(
            {"username": "nobody", "password": "Some-Secret-2"}, "user 'nobody'", id="unknown-user"
        ),
        pytest.param({}, "requires a username and password", id="no-credentials"),
    ],
)
def test_refused_credentials(auth_node, credentials, what) -> None:
    err = raises_within(
        IgniteAuthenticationError,
        lambda: Client(auth_node.host, auth_node.port, timeout=10, **credentials),
        FAST,
    )
    msg = str(err)
    assert "authentication failed" in msg and auth_node.address in msg and what in msg
    if credentials:
        assert credentials["password"] not in msg


@pytest.mark.parametrize(
    "mistake",
    [
        pytest.param({"timeout": [10]}, id="timeout-list"),
        pytest.param({"connect_timeout": "ten"}, id="connect_timeout-text"),
        pytest.param({"ca_file": 42}, id="ca_file-int"),
        pytest.param({"tls_server_name": 7}, id="tls_server_name-int"),
    ],
)
def test_a_wrongly_typed_argument_never_echoes_the_secrets(auth_node, mistake) -> None:
    # The native constructor's own TypeError lists the value of every argument it was given.
    secret, key_secret = "Echo-Secret-5", "Echo-Key-Secret-6"
    with pytest.raises(TypeError, match=next(iter(mistake))) as info:
        Client(
            auth_node.host,
            auth_node.port,
            username="reader",
            password=secret,
            cert_password=key_secret,
            **mistake,
        )
    text = "".join(traceback.format_exception(info.value))  # with any chained exception
    assert secret not in text and key_secret not in text
    name = next(iter(mistake))
    assert name in str(info.value) or "float" in str(info.value)


def test_a_password_of_the_wrong_type_is_named_not_shown(auth_node) -> None:
    with pytest.raises(TypeError) as info:
        Client(auth_node.host, auth_node.port, username="reader", password=73519046)
    assert "password" in str(info.value) and "73519046" not in str(info.value)


@pytest.mark.tensorflow
def test_dataset_credentials_from_the_environment(auth_node, auth_cache, monkeypatch) -> None:
    pytest.importorskip("tensorflow")
    from ignite_tf import IgniteDataset

    monkeypatch.setenv("IGNITE_DATASET_USERNAME", READER["username"])
    monkeypatch.setenv("IGNITE_DATASET_PASSWORD", READER["password"])
    ds = IgniteDataset(auth_cache, host=auth_node.host, port=auth_node.port)
    assert sorted(int(e["key"]) for e in ds) == list(range(50))
    monkeypatch.setenv("IGNITE_DATASET_PASSWORD", "Wrong-Secret-3")
    with pytest.raises(IgniteAuthenticationError) as info:
        IgniteDataset(auth_cache, host=auth_node.host, port=auth_node.port)
    assert "Wrong-Secret-3" not in str(info.value)


@pytest.mark.tensorflow
def test_sql_dataset_credentials_from_the_environment(auth_node, monkeypatch) -> None:
    # SqlDataset honours the same IGNITE_DATASET_* overrides as IgniteDataset.
    pytest.importorskip("tensorflow")
    from ignite_tf import SqlDataset

    monkeypatch.setenv("IGNITE_DATASET_USERNAME", READER["username"])
    monkeypatch.setenv("IGNITE_DATASET_PASSWORD", READER["password"])
    ds = SqlDataset("SELECT 1 AS ONE", host=auth_node.host, port=auth_node.port)
    assert [int(e["ONE"]) for e in ds] == [1]
    monkeypatch.setenv("IGNITE_DATASET_PASSWORD", "Wrong-Secret-7")
    with pytest.raises(IgniteAuthenticationError) as info:
        SqlDataset("SELECT 1 AS ONE", host=auth_node.host, port=auth_node.port)
    assert "Wrong-Secret-7" not in str(info.value)


# --------------------------------------------------------------------------------------------
# TLS and authentication together


@pytest.fixture(scope="module")
def tls_auth_node(tls_material: TlsMaterial, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A node with TLS (client certificates required) and authentication, with the reader."""
    m = tls_material
    node = start_node(
        tmp_path_factory.mktemp("tls-auth-node"),
        "tls.xml",
        m.node_substitutions(authentication=True),
        activating_probe(ssl_context=tls_context(m), **ADMIN),
    )
    try:
        with Client(node.host, node.port, timeout=10, **tls_options(m), **ADMIN) as admin:
            create_reader(admin)
        yield node
    finally:
        node.stop()


def tls_options(m: TlsMaterial) -> dict[str, Any]:
    return {"ca_file": m.ca, "certfile": m.client_combined, "cert_password": m.key_password}


@pytest.fixture(scope="module")
def tls_auth_cache(tls_auth_node: Any, tls_material: TlsMaterial) -> str:
    name = unique_name("TLS_AUTH")
    tls = tls_options(tls_material)
    with Client(tls_auth_node.host, tls_auth_node.port, timeout=10, **tls, **ADMIN) as admin:
        admin.create_cache(name)
        admin.put_all(name, [(i, float(i)) for i in range(30)])
    return name


def test_tls_and_authentication_together(tls_auth_node, tls_auth_cache, tls_material) -> None:
    m, node, name = tls_material, tls_auth_node, tls_auth_cache
    tls = tls_options(m)
    with Client(node.host, node.port, timeout=10, **tls, **ADMIN) as admin:
        assert admin.tls_protocol
    with Client(node.host, node.port, timeout=10, **tls, **READER) as reader:
        total = sum(float(b["val"].sum()) for b in reader.scan(name))
        assert total == sum(range(30))
        text = repr(reader) + str(vars(reader))
        assert READER["password"] not in text and m.key_password not in text
    # Wrong password over TLS: the TLS layer is fine, authentication refuses.
    wrong = {"username": "reader", "password": "Wrong-Secret-4"}
    err = raises_within(
        IgniteAuthenticationError,
        lambda: Client(node.host, node.port, timeout=10, **tls, **wrong),
        FAST,
    )
    assert "Wrong-Secret-4" not in str(err)
    # Right password, no client certificate: the TLS layer refuses first.
    raises_within(
        IgniteTLSError,
        lambda: Client(node.host, node.port, ca_file=m.ca, timeout=10, **READER),
        FAST,
    )


@pytest.mark.tensorflow
@pytest.mark.parametrize("order", ["tensorflow-first", "ignite_tf-first"])
def test_dataset_over_tls_and_authentication_with_either_import_order(
    order, tls_auth_node, tls_auth_cache, tls_material, tmp_path
) -> None:
    pytest.importorskip("tensorflow")
    m = tls_material
    tls = tls_options(m)
    wrong = "Wrong-Secret-11"
    cases = [
        {"name": "arguments", "kwargs": {**tls, **READER}},
        {  # everything through the original's environment overrides
            "name": "environment",
            "kwargs": {"ca_file": m.ca},
            "env": {
                "IGNITE_DATASET_CERTFILE": str(m.client_cert),
                "IGNITE_DATASET_KEYFILE": str(m.client_key_encrypted),
                "IGNITE_DATASET_CERT_PASSWORD": m.key_password,
                "IGNITE_DATASET_USERNAME": READER["username"],
                "IGNITE_DATASET_PASSWORD": READER["password"],
            },
        },
        {"name": "wrong-password", "kwargs": {**tls, "username": "reader", "password": wrong}},
    ]
    report, output = run_dataset_process(
        order,
        tls_auth_node.host,
        tls_auth_node.port,
        tls_auth_cache,
        {**tls, **ADMIN},
        cases,
        tmp_path,
    )
    assert report["ssl_new"] and "tensorflow" in report["ssl_new"], report["ssl_new"]
    results = {r["name"]: r for r in report["results"]}
    for name in ("arguments", "environment"):
        assert results[name].get("rows") == 30, results[name]
        assert results[name]["sum"] == sum(range(30))
    refused = results["wrong-password"]
    assert refused.get("error") == "IgniteAuthenticationError", refused
    assert "authentication failed" in refused["message"]
    # (The default user's password, "ignite", is part of every module name: not searchable.)
    leaked = secrets_in(output, READER["password"], m.key_password, wrong)
    assert not leaked, leaked
