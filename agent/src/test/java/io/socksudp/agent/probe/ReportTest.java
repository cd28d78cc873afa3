package io.socksudp.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReportTest {

    @Test
    void textHasOneLinePerFindingAndTheConclusionLast() {
        Report r = new Report("proxy.example:1080");
        r.add("dst", Finding.Kind.QUIRK, "ignored");
        r.add("bnd", Finding.Kind.OK, "fine");
        r.works = true;
        r.conclusion = "use the defaults.";
        String[] lines = r.toText().split("\n");
        assertEquals(4, lines.length);
        assertTrue(lines[1].startsWith("quirk    dst "));
        assertEquals("RECOMMENDATION: use the defaults.", lines[3]);
    }

    @Test
    void jsonEscapesQuotesAndControlCharacters() {
        Report r = new Report("p:1");
        r.add("x", Finding.Kind.FAIL, "said \"no\"\n\\");
        r.works = false;
        r.conclusion = "nothing works.";
        assertEquals("{\"proxy\":\"p:1\",\"works\":false,\"settings\":[],\"findings\":[{\"check\":\"x\",\"result\":"
                + "\"fail\",\"text\":\"said \\\"no\\\"\\u000a\\\\\"}],\"error\":\"nothing works.\"}\n", r.toJson());
    }
}
