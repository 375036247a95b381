"""In a real browser: phones vote and the open wall's ranking follows within a second; the budget
holds; a tablet voter turn resets; a hackathon is run end to end from the staff pages."""

import time

from forum import queries, store, votes
from quartier import auth
from quartier.typedefs import DB, SETTINGS

from .conftest import wait_until


async def make_board_with_notes(app, texts):
    def fill(tx):
        board = store.create_board_tx(
            tx, title="Temps fort", prompt="Vos besoins ?", moderation="post", site="maurepas"
        )
        ids = [store.post_note_tx(tx, board["id"], text=t, source="tablet")["id"] for t in texts]
        return board["id"], ids

    board_id, ids = await app[DB].write(fill)
    board = await app[DB].read(lambda d: queries.board(d, board_id))
    return board, ids


def votes_of(note_id):
    return f"(document.querySelector('.rank[data-note-id=\"{note_id}\"]') || {{dataset: {{}}}}).dataset.votes"


async def test_two_phones_voting_show_up_on_the_open_wall_within_a_second(page, browser, base_url, server):
    board, ids = await make_board_with_notes(server.app, ["Du wifi", "Une imprimante", "Le soir"])
    await page.goto(f"/forum/boards/{board['id']}/wall")
    await wait_until(page, "document.body.dataset.live === 'open'")
    await page.evaluate("window.__sameWall = true")
    await server.app[DB].write(lambda tx: votes.open_round_tx(tx, board["id"], title="Priorités", budget=2))
    await wait_until(page, "document.body.classList.contains('voting')", timeout=2)
    assert await page.text_content("#ranking-name") == "Priorités"

    phones = []
    for _ in range(2):
        ctx = await browser.new_context(base_url=base_url, locale="fr-FR", viewport={"width": 390, "height": 800})
        phone = await ctx.new_page()
        await phone.goto(f"/j/{board['code']}")
        await phone.click("#vote-link")
        await wait_until(phone, "document.querySelector('ul.ballot') !== null")
        phones.append((ctx, phone))

    async def dot(phone, note_id):
        before = await phone.get_attribute(f"#note-{note_id}", "data-mine")
        await phone.click(f"#note-{note_id} button.add-dot")
        await wait_until(
            phone,
            f"document.querySelector('#note-{note_id}').dataset.mine !== {before!r}"
            " || document.querySelector('.form-messages .alert') !== null",
            timeout=2,
        )

    (_c1, alice), (_c2, bob) = phones
    await dot(alice, ids[1])
    started = time.monotonic()
    await wait_until(page, f"{votes_of(ids[1])} === '1'", timeout=1)
    assert time.monotonic() - started < 1
    await dot(bob, ids[1])
    await wait_until(page, f"{votes_of(ids[1])} === '2'", timeout=1)
    await dot(bob, ids[2])
    await wait_until(page, f"{votes_of(ids[2])} === '1'", timeout=1)
    first = await page.evaluate("document.querySelector('#ranking-list .rank').dataset.noteId")
    assert first == str(ids[1])
    assert await page.text_content("#ranking-totals") == "2 votants · 3 gommettes"

    # Bob has spent his 2 dots: the third is refused with a clear message, and the wall does not move.
    await bob.click(f"#note-{ids[0]} button.add-dot")
    await wait_until(bob, "document.querySelector('.form-messages .alert') !== null", timeout=2)
    assert await bob.text_content(".form-messages .alert") == "Vous avez déjà posé vos 2 gommettes."
    assert await bob.text_content("#budget") == "Il vous reste 0 gommette sur 2."
    await page.wait_for_timeout(300)
    assert await page.evaluate(votes_of(ids[0])) == "0"
    assert await page.evaluate("window.__sameWall === true")
    for ctx, _p in phones:
        await ctx.close()


async def test_a_tablet_voter_turn_resets_for_the_next_person(context, server):
    page = await context.new_page()  # its refused dot is an expected 409
    board, ids = await make_board_with_notes(server.app, ["Du wifi", "Une imprimante"])
    await server.app[DB].write(lambda tx: votes.open_round_tx(tx, board["id"], title="Priorités", budget=1))
    kiosk = store.kiosk_key(server.app[SETTINGS].secret_key, board["id"], board["link_salt"])
    await page.goto(f"/forum/boards/{board['id']}/vote/tablet?kiosk={kiosk}")
    await page.click("#new-voter")
    await page.click(f"#note-{ids[0]} button.add-dot")
    await wait_until(page, f"document.querySelector('#note-{ids[0]}').dataset.mine === '1'")
    assert await page.text_content("#budget") == "Il vous reste 0 gommette sur 1."
    await page.click(f"#note-{ids[1]} button.add-dot")
    await wait_until(page, "document.querySelector('.form-messages .alert') !== null")
    await page.click("#finish")
    assert "Merci ! Votre vote est compté." in await page.text_content("main")
    await page.click("#new-voter")
    assert await page.text_content("#budget") == "Il vous reste 1 gommette sur 1."
    assert await page.get_attribute(f"#note-{ids[0]}", "data-mine") == "0"
    await page.click(f"#note-{ids[1]} button.add-dot")
    await wait_until(page, f"document.querySelector('#note-{ids[1]}').dataset.mine === '1'")
    rounds = await server.app[DB].read(lambda d: votes.rounds(d, board["id"]))
    assert rounds[0]["voters"] == 2 and rounds[0]["dots"] == 2


async def test_a_hackathon_runs_end_to_end_from_the_staff_pages(page, browser, base_url, server):
    await auth.add_user(server.app[DB], "orga", "organizer", "correct horse battery staple")
    await page.goto("/login?next=/hackathons/staff")
    await page.fill("#name", "orga")
    await page.fill("#password", "correct horse battery staple")
    await page.click("main button[type=submit]")
    await page.fill("#hack-title", "Hackathon social")
    await page.click("text=Créer le hackathon")
    for title in ("Un pas-à-pas CAF", "Trouver la bonne permanence", "Les mots de l'administration"):
        await page.fill("#challenge-title", title)
        await page.click("#add-challenge")
    for name, challenge in (("Les Déclic", "Un pas-à-pas CAF"), ("Pas à pas", "Trouver la bonne permanence")):
        await page.fill("#team-name", name)
        await page.select_option("#team-challenge", label=challenge)
        await page.click("#add-team")
    manage = page.url.split("#")[0]
    await page.fill("textarea[name=built] >> nth=0", "Une fiche A4 testée avec trois habitants")
    await page.click("form:has(textarea[name=built]) >> nth=0 >> button")
    await page.goto(manage)
    await page.click("#pitches-now")
    hid = manage.rstrip("/").split("/")[-2]

    # A resident joins a team from their phone, and watches the pitch screen.
    ctx = await browser.new_context(base_url=base_url, locale="fr-FR", viewport={"width": 390, "height": 800})
    phone = await ctx.new_page()
    await phone.goto(f"/hackathons/{hid}")
    await phone.fill("#team-2 input[name=first_name]", "Awa")
    await phone.click("#team-2 button")
    assert "votre équipe" in await phone.text_content("#team-2 h3")
    await phone.goto(f"/hackathons/{hid}/pitches")
    assert await phone.text_content("#pitch-current") == "Les Déclic"
    assert await phone.text_content("#pitch-next") == "Pas à pas"

    # The final vote: opened by staff, cast from the phone, closed by staff; the results follow.
    await page.goto(manage)
    await page.click("#open-final")
    await phone.goto(f"/hackathons/{hid}")
    await phone.click("#final-vote-link")
    await phone.click("li:has-text('Pas à pas') button.add-dot")
    await wait_until(phone, "document.querySelector('.ballot-note[data-mine=\"1\"]') !== null")
    await page.goto(manage)
    await page.click("#close-final")
    ranking = await page.text_content("#final-ranking")
    assert ranking.index("Pas à pas") < ranking.index("Les Déclic") and "1 gommette" in ranking
    main = await page.text_content("main")
    assert "Une fiche A4 testée avec trois habitants" in main and "Awa" in main
    assert "Les mots de l'administration" in main
    await ctx.close()
