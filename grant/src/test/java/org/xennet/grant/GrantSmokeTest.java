package org.xennet.grant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class GrantSmokeTest
{
    @Test
    void shouldCopyThroughV1AndV2()
    {
        for (int version = 1; version <= 2; version++)
        {
            final GrantTable table = version == 1 ? new GrantTableV1(GrantTestSupport.pages(1)) :
                new GrantTableV2(GrantTestSupport.pages(1), GrantTestSupport.pages(1));
            final FrameMapper memory = GrantTestSupport.memory(4, 100);
            final GrantAccess access = new GrantAccess(table, 3, memory);
            memory.buffer().putInt(GrantConstants.PAGE_LENGTH + 10, 0xCAFEBABE);
            assertEquals(GrantResult.OK, table.permitAccess(9, 3, 101, true));
            final AtomicBuffer dst = new UnsafeBuffer(new byte[16]);
            assertEquals(0, access.copyFromGrant(9, 10, dst, 0, 4));
            assertEquals(0xCAFEBABE, dst.getInt(0));
            assertEquals(GrantConstants.GNTST_PERMISSION_DENIED, access.copyToGrant(9, 10, dst, 0, 4));
            assertEquals(GrantResult.OK, table.endAccess(9));
            assertEquals(GrantConstants.GNTST_PERMISSION_DENIED, access.copyFromGrant(9, 10, dst, 0, 4));
        }
    }
}
