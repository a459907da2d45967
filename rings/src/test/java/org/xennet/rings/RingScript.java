package org.xennet.rings;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.xennet.rings.netif.NetifTxRequestFlyweight;
import org.xennet.rings.netif.NetifTxResponseFlyweight;
import org.xennet.rings.netif.NetifTxRing;

/**
 * Java twin of {@code ring_driver.c}: runs the same operation language on {@link FrontRing}/{@link BackRing} over
 * one page and prints the same lines, so the two outputs can be compared byte for byte.
 */
final class RingScript
{
    /** Deliberately broken variants, to show the differential test catches a wrong macro. */
    enum Mutant
    {
        NONE,
        /** RING_HAS_UNCONSUMED_REQUESTS without the response-space term. */
        NO_RESPONSE_SPACE_TERM,
        /** notify decided with a signed comparison instead of an unsigned one. */
        SIGNED_NOTIFY_COMPARE,
        /** SHARED_RING_INIT forgets to clear __pad. */
        INIT_KEEPS_PAD
    }

    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private final UnsafeBuffer page = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 4096));
    private final FrontRing front = NetifTxRing.front(page);
    private final BackRing back = NetifTxRing.back(page);
    private final NetifTxRequestFlyweight request = new NetifTxRequestFlyweight();
    private final NetifTxResponseFlyweight response = new NetifTxResponseFlyweight();
    private final Mutant mutant;

    RingScript(final Mutant mutant)
    {
        this.mutant = mutant;
    }

    /**
     * Runs script lines and appends the driver-format output.
     *
     * @param script lines of operations.
     * @param out    where the output lines go.
     */
    void run(final String script, final StringBuilder out)
    {
        for (final String raw : script.split("\n"))
        {
            final String line = raw.strip();
            if (line.isEmpty())
            {
                continue;
            }
            step(line, out);
        }
    }

    String step(final String line)
    {
        final StringBuilder out = new StringBuilder();
        step(line, out);
        return out.toString().strip();
    }

    FrontRing front()
    {
        return front;
    }

    BackRing back()
    {
        return back;
    }

    UnsafeBuffer page()
    {
        return page;
    }

    private void step(final String line, final StringBuilder out)
    {
        final String[] t = line.split("\\s+");
        final String result = execute(t);
        if (null == result)
        {
            out.append("end ");
            hex(out, 0, 4096);
            out.append('\n');
            return;
        }
        out.append(line).append(" => ").append(result)
            .append(" | f=").append(u(front.reqProdPvt())).append(',').append(u(front.rspCons()))
            .append(" b=").append(u(back.rspProdPvt())).append(',').append(u(back.reqCons()))
            .append(" | hdr=");
        hex(out, 0, 16);
        out.append(" | page=").append(String.format("%016x", fnv1a())).append('\n');
    }

    private String execute(final String[] t)
    {
        switch (t[0])
        {
            case "fill":
                page.setMemory(0, 4096, (byte)arg(t, 1));
                return "-";
            case "sinit":
                front.sharedRingInit();
                if (mutant == Mutant.INIT_KEEPS_PAD)
                {
                    page.setMemory(SharedRingDescriptor.PAD_OFFSET, 1, (byte)0x5A);
                }
                return "-";
            case "finit":
                front.init();
                return "-";
            case "binit":
                back.init();
                return "-";
            case "fattach":
                front.attach(arg(t, 1));
                return "-";
            case "battach":
                back.attach(arg(t, 1));
                return "-";
            case "poke":
                page.putInt(arg(t, 1) & (4096 - 4) & ~3, arg(t, 2));
                return "-";
            case "req":
                request.wrap(page, front.requestOffset(front.reqProdPvt()))
                    .gref(arg(t, 1)).offset(arg(t, 2)).flags(arg(t, 3)).id(arg(t, 4)).size(arg(t, 5));
                front.reqProdPvt(front.reqProdPvt() + 1);
                return "-";
            case "rsp":
                response.wrap(page, back.responseOffset(back.rspProdPvt())).id(arg(t, 1)).status(arg(t, 2));
                back.rspProdPvt(back.rspProdPvt() + 1);
                return "-";
            case "push_req":
                front.pushRequests();
                return "-";
            case "push_req_notify":
                return pushRequestsAndCheckNotify();
            case "push_rsp":
                back.pushResponses();
                return "-";
            case "push_rsp_notify":
                return back.pushResponsesAndCheckNotify() ? "1" : "0";
            case "free_req":
                return u(front.freeRequests());
            case "full":
                return front.isFull() ? "1" : "0";
            case "unc_rsp":
                return u(front.unconsumedResponses());
            case "unc_req":
                return u(unconsumedRequests());
            case "final_rsp":
                return u(front.finalCheckForResponses());
            case "final_req":
                return u(finalCheckForRequests());
            case "take_req":
                return takeRequest();
            case "take_rsp":
                response.wrap(page, front.responseOffset(front.rspCons()));
                front.rspCons(front.rspCons() + 1);
                return response.id() + " " + response.status();
            case "req_cons_ovf":
                return back.requestConsOverflow(arg(t, 1)) ? "1" : "0";
            case "req_prod_ovf":
                return back.requestProdOverflow(arg(t, 1)) ? "1" : "0";
            case "rsp_prod_ovf":
                return front.responseProdOverflow(arg(t, 1)) ? "1" : "0";
            case "get_req":
                return Integer.toString(front.requestOffset(arg(t, 1)));
            case "get_rsp":
                return Integer.toString(back.responseOffset(arg(t, 1)));
            case "end":
                return null;
            default:
                throw new IllegalArgumentException("unknown op: " + String.join(" ", t));
        }
    }

    private String takeRequest()
    {
        request.wrap(page, back.requestOffset(back.reqCons()));
        back.reqCons(back.reqCons() + 1);
        return u(request.gref()) + " " + request.offset() + " " + request.flags() + " " + request.id() + " " +
            request.size();
    }

    private String pushRequestsAndCheckNotify()
    {
        if (mutant != Mutant.SIGNED_NOTIFY_COMPARE)
        {
            return front.pushRequestsAndCheckNotify() ? "1" : "0";
        }
        final int oldProd = page.getInt(SharedRingDescriptor.REQ_PROD_OFFSET);
        front.pushRequests();
        final int newProd = front.reqProdPvt();
        final int event = page.getInt(SharedRingDescriptor.REQ_EVENT_OFFSET);
        return (newProd - event) < (newProd - oldProd) ? "1" : "0";
    }

    private int unconsumedRequests()
    {
        if (mutant != Mutant.NO_RESPONSE_SPACE_TERM)
        {
            return back.unconsumedRequests();
        }
        return back.reqProdAcquire() - back.reqCons();
    }

    private int finalCheckForRequests()
    {
        if (mutant != Mutant.NO_RESPONSE_SPACE_TERM)
        {
            return back.finalCheckForRequests();
        }
        final int work = unconsumedRequests();
        if (work != 0)
        {
            return work;
        }
        page.putInt(SharedRingDescriptor.REQ_EVENT_OFFSET, back.reqCons() + 1);
        return unconsumedRequests();
    }

    private static int arg(final String[] t, final int i)
    {
        final String s = t[i];
        return s.startsWith("0x") ? (int)Long.parseLong(s.substring(2), 16) : (int)Long.parseLong(s);
    }

    private static String u(final int v)
    {
        return Integer.toUnsignedString(v);
    }

    private void hex(final StringBuilder out, final int from, final int length)
    {
        for (int i = from; i < from + length; i++)
        {
            final int b = page.getByte(i) & 0xFF;
            out.append(DIGITS[b >> 4]).append(DIGITS[b & 15]);
        }
    }

    private long fnv1a()
    {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < 4096; i++)
        {
            h ^= page.getByte(i) & 0xFF;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
