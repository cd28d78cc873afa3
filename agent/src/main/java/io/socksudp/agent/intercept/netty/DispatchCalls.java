package io.socksudp.agent.intercept.netty;

import io.socksudp.agent.intercept.ClassFileInventory;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import net.bytebuddy.utility.OpenedClassReader;

/**
 * Inlines into a Netty native datagram channel class the static calls to the bootstrap class {@code NettyDispatch}
 * (which every class loader finds by parent delegation) that its {@link NettyLayout} calls for.
 *
 * <p>{@link NettyLayout#TUNNELLED}: {@code msg = outbound(this, msg)} first in {@code filterOutboundMessage};
 * {@code remote = (SocketAddress) connectTarget(this, remote)} first in {@code doConnect} and {@code connectDone(this,
 * result)} before each of its returns; {@code disconnecting(this)} and {@code closing(this)} first in
 * {@code doDisconnect} and {@code doClose}; epoll's {@code doWrite(in)} returns at once when {@code holdWrites(this,
 * in)}; and every {@code pipeline.fireChannelRead(msg)} call replaced by
 * {@code (ChannelPipeline) fireChannelRead(pipeline, msg)}; epoll's {@code nativePacket.newDatagramPacket(buffer,
 * local)} calls become {@code (DatagramPacket) nativePacket(nativePacket, buffer, local, this)}. In the read loop's class ({@link
 * NettyTransport.Role#READ_LOOP}), {@code config.getMaxDatagramPayloadSize()} becomes {@code slotSize(config,
 * config.getMaxDatagramPayloadSize())}; for io_uring, whose read loop fires the packets, it becomes 0 and its {@code
 * fireChannelRead} calls are replaced as above. io_uring has no {@code doConnect}: {@code remote = (SocketAddress)
 * connectTarget(this$0, remote)} first in its base unsafe's {@code connect} ({@link NettyTransport.Role#BASE_UNSAFE})
 * and {@code (InetSocketAddress) connectedRemote(this, computeRemoteAddr(..))} in its base channel ({@link
 * NettyTransport.Role#BASE}) stand for {@code connectTarget} and {@code connectDone}; in its {@code MsgHdrMemory}
 * ({@link NettyTransport.Role#MSG_HDR}) a received packet's sender becomes {@code receivedSender(sender, content,
 * channel)}.
 * {@link NettyLayout#GUARDED}: {@code checkWrite(this, msg)} in {@code filterOutboundMessage}, {@code
 * checkConnect(this, remote)} in {@code doConnect}. {@link NettyLayout#UNKNOWN}: {@code refuseChannel("the class")}
 * in every constructor.
 *
 * <p>Plain ASM rather than Byte Buddy's {@code Advice}: none of these adds a local, and only {@code holdWrites} a
 * branch (with a frame equal to the method's initial one, see {@code returningWhenHeld}), so no other stack map frame
 * changes and only the maximum stack is recomputed; and Byte Buddy would have to resolve Netty's other types (generic
 * signatures) through the application's loader, which a loader that hides its class files as resources would make
 * fail. The IOExceptions these calls throw are not declared by the advised methods; Netty catches them as Throwable
 * (a failed write or connect promise, a failed channel creation), and the JVM does not check.
 */
final class DispatchCalls {

    private static final String DISPATCH = "io/socksudp/agent/bootstrap/NettyDispatch";
    private static final String OBJECT_OBJECT = "(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;";

    private DispatchCalls() {
    }

    /** {@code classfile} (class {@code name}, binary) with the calls its layout calls for. */
    static byte[] inline(final String name, byte[] classfile) {
        NettyTransport transport = NettyTransport.owning(name);
        NettyTransport.Role role = transport == null ? NettyTransport.Role.CHANNEL : transport.roleOf(name);
        switch (role) {
            case READ_LOOP:
                return inlineReadLoop(transport, name, classfile);
            case BASE:
                return inlineConnectedRemote(classfile);
            case BASE_UNSAFE:
                return inlineConnectTarget(name, classfile);
            case MSG_HDR:
                return inlineReceivedSender(classfile);
            default:
                break;
        }
        ClassFileInventory inventory = ClassFileInventory.of(name, classfile);
        final NettyLayout layout = NettyLayout.of(transport, inventory, fireChannelReadCalls(classfile));
        final boolean tunnelled = layout == NettyLayout.TUNNELLED;
        final boolean guarded = layout == NettyLayout.GUARDED;
        return new MethodRewriter() {
            @Override
            MethodVisitor method(int access, String method, String descriptor, MethodVisitor mv) {
                if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
                    return mv;
                }
                if (tunnelled) {
                    mv = replacingFireChannelRead(mv); // static methods too (processPacket, processPacketList)
                }
                if ((access & Opcodes.ACC_STATIC) != 0) {
                    return mv;
                }
                if (tunnelled && transport == NettyTransport.EPOLL) {
                    mv = replacingNewDatagramPacket(mv); // recvmsg (and scatteringRead, unused when tunnelled)
                }
                if (tunnelled && NettyMember.FILTER_OUTBOUND.is(method, descriptor)) {
                    return replacingArgument(mv, "outbound", "java/lang/Object");
                }
                if (tunnelled && NettyMember.DO_CONNECT.is(method, descriptor)) {
                    return connectDoneAtReturns(replacingArgument(mv, "connectTarget", "java/net/SocketAddress"));
                }
                if (tunnelled && transport == NettyTransport.EPOLL && NettyMember.isDoWrite(method, descriptor)) {
                    return returningWhenHeld(mv);
                }
                if (tunnelled && NettyMember.DO_DISCONNECT.is(method, descriptor)) {
                    return withThisAtEntry(mv, "disconnecting");
                }
                if (tunnelled && NettyMember.DO_CLOSE.is(method, descriptor)) {
                    return withThisAtEntry(mv, "closing");
                }
                if (guarded && NettyMember.FILTER_OUTBOUND.is(method, descriptor)) {
                    return atEntry(mv, "checkWrite", null);
                }
                if (guarded && NettyMember.DO_CONNECT.is(method, descriptor)) {
                    return atEntry(mv, "checkConnect", null);
                }
                if (layout == NettyLayout.UNKNOWN && "<init>".equals(method)) {
                    return atEntry(mv, "refuseChannel", name);
                }
                return mv;
            }
        }.rewrite(classfile);
    }

    /** How many {@code ChannelPipeline.fireChannelRead} calls the class makes (a first, reading-only pass). */
    static int fireChannelReadCalls(byte[] classfile) {
        final int[] calls = {0};
        OpenedClassReader.of(classfile).accept(new ClassVisitor(OpenedClassReader.ASM_API) {
            @Override
            public MethodVisitor visitMethod(int access, String method, String descriptor, String signature,
                                             String[] exceptions) {
                return new MethodVisitor(OpenedClassReader.ASM_API) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String called, String calledDescriptor,
                                                boolean isInterface) {
                        if (opcode == Opcodes.INVOKEINTERFACE
                                && NettyMember.isFireChannelRead(called, calledDescriptor)) {
                            calls[0]++;
                        }
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return calls[0];
    }

    /**
     * The read loop's class with its {@code getMaxDatagramPayloadSize()} calls passed through {@code slotSize} (epoll:
     * 0 for a tunnelled channel, so no {@code recvmmsg}). For a transport whose read loop fires the packets (io_uring),
     * the size is always 0 instead (one {@code recvmsg} into the whole buffer, no linked entries into fixed slots):
     * io_uring submits its reads ahead, from the channel's registration on, before its first send decides whether it is
     * tunnelled, and a slot would cut a maximal payload short by its header (the channel's first reply, seen here).
     * Its {@code fireChannelRead} calls are replaced too, or, when it has none (a layout the agent does not know),
     * {@code refuseChannel} goes in its constructors: the channel cannot be created, since what it reads could not be
     * unwrapped.
     */
    private static byte[] inlineReadLoop(NettyTransport transport, String name, byte[] classfile) {
        final boolean reads = transport.readsInReadLoop();
        final String outer = outerInstance(classfile);
        final String owner = name.replace('.', '/');
        final String refusal = (reads && fireChannelReadCalls(classfile) == 0) || outer == null
                || readBufferAllocations(classfile) == 0 ? name.substring(0, Math.max(name.indexOf('$'), 0)) : null;
        return new MethodRewriter() {
            @Override
            MethodVisitor method(int access, String method, String descriptor, MethodVisitor mv) {
                if (refusal != null && "<init>".equals(method)) {
                    return atEntry(mv, "refuseChannel", refusal);
                }
                if (reads) {
                    mv = replacingFireChannelRead(mv);
                }
                if ((access & Opcodes.ACC_STATIC) == 0 && outer != null) {
                    mv = replacingReadBufferAllocate(mv, owner, outer);
                }
                return new MethodVisitor(OpenedClassReader.ASM_API, mv) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String called, String calledDescriptor,
                                                boolean isInterface) {
                        boolean slot = opcode == Opcodes.INVOKEVIRTUAL
                                && NettyMember.isMaxDatagramPayloadSize(called, calledDescriptor);
                        if (slot && reads) { // io_uring: [config] -> [size] -> [0]
                            super.visitMethodInsn(opcode, owner, called, calledDescriptor, isInterface);
                            super.visitInsn(Opcodes.POP);
                            super.visitInsn(Opcodes.ICONST_0);
                            return;
                        }
                        if (slot) {
                            super.visitInsn(Opcodes.DUP); // [config] -> [config, config]
                        }
                        super.visitMethodInsn(opcode, owner, called, calledDescriptor, isInterface);
                        if (slot) { // [config, size] -> [size']
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, "slotSize",
                                    "(Ljava/lang/Object;I)I", false);
                        }
                    }
                };
            }
        }.rewrite(classfile);
    }

    /** How many {@code Handle.allocate(ByteBufAllocator)} calls the read loop's instance methods make. */
    static int readBufferAllocations(byte[] classfile) {
        final int[] calls = {0};
        OpenedClassReader.of(classfile).accept(new ClassVisitor(OpenedClassReader.ASM_API) {
            @Override
            public MethodVisitor visitMethod(int access, String method, String descriptor, String signature,
                                             String[] exceptions) {
                if ((access & Opcodes.ACC_STATIC) != 0) {
                    return null;
                }
                return new MethodVisitor(OpenedClassReader.ASM_API) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String called, String calledDescriptor,
                                                boolean isInterface) {
                        if (isHandleCall(opcode) && NettyMember.isReadBufferAllocate(called, calledDescriptor)) {
                            calls[0]++;
                        }
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return calls[0];
    }

    private static boolean isHandleCall(int opcode) {
        return opcode == Opcodes.INVOKEINTERFACE || opcode == Opcodes.INVOKEVIRTUAL;
    }

    /**
     * Every {@code handle.allocate(allocator)} becomes {@code (ByteBuf) NettyDispatch.readBuffer(handle, allocator,
     * this$0)}: the stack {@code [handle, allocator]} gets the unsafe's channel on top.
     */
    private static MethodVisitor replacingReadBufferAllocate(MethodVisitor mv, final String owner,
                                                             final String outer) {
        return new MethodVisitor(OpenedClassReader.ASM_API, mv) {
            @Override
            public void visitMethodInsn(int opcode, String calledOwner, String called, String calledDescriptor,
                                        boolean isInterface) {
                if (isHandleCall(opcode) && NettyMember.isReadBufferAllocate(called, calledDescriptor)) {
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitFieldInsn(Opcodes.GETFIELD, owner, NettyMember.OUTER_INSTANCE, outer);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, "readBuffer",
                            "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;", false);
                    super.visitTypeInsn(Opcodes.CHECKCAST, Type.getReturnType(calledDescriptor).getInternalName());
                } else {
                    super.visitMethodInsn(opcode, calledOwner, called, calledDescriptor, isInterface);
                }
            }
        };
    }

    /** The descriptor of the class's {@code this$0} (an inner class's outer instance), or null when it has none. */
    private static String outerInstance(byte[] classfile) {
        final String[] outer = {null};
        OpenedClassReader.of(classfile).accept(new ClassVisitor(OpenedClassReader.ASM_API) {
            @Override
            public net.bytebuddy.jar.asm.FieldVisitor visitField(int access, String field, String descriptor,
                                                                 String signature, Object value) {
                if (field.equals(NettyMember.OUTER_INSTANCE) && (access & Opcodes.ACC_STATIC) == 0
                        && descriptor.startsWith("L")) {
                    outer[0] = descriptor;
                }
                return null;
            }
        }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return outer[0];
    }

    /**
     * io_uring's base channel: in its instance methods ({@code computeRemote}) the result of {@code
     * computeRemoteAddr(requested, actual)} becomes {@code (InetSocketAddress) connectedRemote(this, result)}, the peer
     * for a channel the agent connected to the relay.
     */
    private static byte[] inlineConnectedRemote(byte[] classfile) {
        return new MethodRewriter() {
            @Override
            MethodVisitor method(int access, String method, String descriptor, MethodVisitor mv) {
                if ((access & (Opcodes.ACC_STATIC | Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
                    return mv;
                }
                return new MethodVisitor(OpenedClassReader.ASM_API, mv) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String called, String calledDescriptor,
                                                boolean isInterface) {
                        super.visitMethodInsn(opcode, owner, called, calledDescriptor, isInterface);
                        if (opcode == Opcodes.INVOKESTATIC && NettyMember.isComputeRemoteAddr(called, calledDescriptor)) {
                            super.visitVarInsn(Opcodes.ALOAD, 0); // [remote] -> [remote, this] -> [this, remote]
                            super.visitInsn(Opcodes.SWAP);
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, "connectedRemote", OBJECT_OBJECT,
                                    false);
                            super.visitTypeInsn(Opcodes.CHECKCAST, "java/net/InetSocketAddress");
                        }
                    }
                };
            }
        }.rewrite(classfile);
    }

    /**
     * io_uring's base unsafe: first thing in {@code connect(remote, local, promise)}, {@code remote = (SocketAddress)
     * connectTarget(this$0, remote)} (the outer instance is the channel). Without that field the class is left as it
     * is: a connect then reaches the peer directly, and every write to it is refused (see NettyTunnels.frame).
     */
    private static byte[] inlineConnectTarget(final String name, byte[] classfile) {
        final String outer = outerInstance(classfile);
        if (outer == null) {
            return classfile;
        }
        final String owner = name.replace('.', '/');
        return new MethodRewriter() {
            @Override
            MethodVisitor method(int access, String method, String descriptor, MethodVisitor mv) {
                if ((access & (Opcodes.ACC_STATIC | Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0
                        || !NettyMember.isUringConnect(method, descriptor)) {
                    return mv;
                }
                return new MethodVisitor(OpenedClassReader.ASM_API, mv) {
                    @Override
                    public void visitCode() {
                        super.visitCode();
                        super.visitVarInsn(Opcodes.ALOAD, 0);
                        super.visitFieldInsn(Opcodes.GETFIELD, owner, NettyMember.OUTER_INSTANCE, outer);
                        super.visitVarInsn(Opcodes.ALOAD, 1);
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, "connectTarget", OBJECT_OBJECT, false);
                        super.visitTypeInsn(Opcodes.CHECKCAST, "java/net/SocketAddress");
                        super.visitVarInsn(Opcodes.ASTORE, 1);
                    }
                };
            }
        }.rewrite(classfile);
    }

    /**
     * Epoll's channel: every {@code nativePacket.newDatagramPacket(buffer, recipient)} becomes {@code
     * (DatagramPacket) NettyDispatch.nativePacket(nativePacket, buffer, recipient, this)}.
     */
    private static MethodVisitor replacingNewDatagramPacket(MethodVisitor mv) {
        return new MethodVisitor(OpenedClassReader.ASM_API, mv) {
            @Override
            public void visitMethodInsn(int opcode, String owner, String called, String calledDescriptor,
                                        boolean isInterface) {
                if (opcode == Opcodes.INVOKEVIRTUAL && NettyMember.isNewDatagramPacket(owner, called, calledDescriptor)) {
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, "nativePacket",
                            "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;)"
                                    + "Ljava/lang/Object;", false);
                    super.visitTypeInsn(Opcodes.CHECKCAST, Type.getReturnType(calledDescriptor).getInternalName());
                } else {
                    super.visitMethodInsn(opcode, owner, called, calledDescriptor, isInterface);
                }
            }
        };
    }

    /**
     * io_uring's {@code MsgHdrMemory}: in its instance methods whose first parameter is the datagram channel ({@code
     * get}, {@code read}), the sender argument of each {@code new DatagramPacket(content, recipient, sender)} becomes
     * {@code (InetSocketAddress) NettyDispatch.receivedSender(sender, content, channel)}. No local is added: the
     * arguments are rearranged on the stack ({@code [c, r, s]} to {@code [c, r, s, c, channel]}), so no frame changes.
     */
    private static byte[] inlineReceivedSender(byte[] classfile) {
        return new MethodRewriter() {
            @Override
            MethodVisitor method(int access, String method, String descriptor, MethodVisitor mv) {
                Type[] parameters = Type.getArgumentTypes(descriptor);
                if ((access & (Opcodes.ACC_STATIC | Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0
                        || parameters.length == 0 || parameters[0].getSort() != Type.OBJECT
                        || !parameters[0].getInternalName().endsWith("DatagramChannel")) {
                    return mv;
                }
                return new MethodVisitor(OpenedClassReader.ASM_API, mv) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String called, String calledDescriptor,
                                                boolean isInterface) {
                        if (opcode == Opcodes.INVOKESPECIAL && NettyMember.isReceivedPacketConstructor(owner, called,
                                calledDescriptor)) {
                            super.visitInsn(Opcodes.DUP2_X1); // [c, r, s] -> [r, s, c, r, s]
                            super.visitInsn(Opcodes.POP2); // -> [r, s, c]
                            super.visitInsn(Opcodes.DUP_X2); // -> [c, r, s, c]
                            super.visitVarInsn(Opcodes.ALOAD, 1); // -> [c, r, s, c, channel]
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, "receivedSender",
                                    "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;",
                                    false);
                            super.visitTypeInsn(Opcodes.CHECKCAST, "java/net/InetSocketAddress");
                        }
                        super.visitMethodInsn(opcode, owner, called, calledDescriptor, isInterface);
                    }
                };
            }
        }.rewrite(classfile);
    }

    /** Every {@code pipeline.fireChannelRead(msg)} becomes {@code (ChannelPipeline) NettyDispatch.fireChannelRead(..)}. */
    private static MethodVisitor replacingFireChannelRead(MethodVisitor mv) {
        return new MethodVisitor(OpenedClassReader.ASM_API, mv) {
            @Override
            public void visitMethodInsn(int opcode, String owner, String called, String calledDescriptor,
                                        boolean isInterface) {
                if (opcode == Opcodes.INVOKEINTERFACE && NettyMember.isFireChannelRead(called, calledDescriptor)) {
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, "fireChannelRead", OBJECT_OBJECT, false);
                    super.visitTypeInsn(Opcodes.CHECKCAST, Type.getReturnType(calledDescriptor).getInternalName());
                } else {
                    super.visitMethodInsn(opcode, owner, called, calledDescriptor, isInterface);
                }
            }
        };
    }

    /** First thing: {@code arg1 = (type) NettyDispatch.<hook>(this, arg1)}. */
    private static MethodVisitor replacingArgument(MethodVisitor mv, final String hook, final String type) {
        return new MethodVisitor(OpenedClassReader.ASM_API, mv) {
            @Override
            public void visitCode() {
                super.visitCode();
                super.visitVarInsn(Opcodes.ALOAD, 0);
                super.visitVarInsn(Opcodes.ALOAD, 1);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, hook, OBJECT_OBJECT, false);
                if (!type.equals("java/lang/Object")) {
                    super.visitTypeInsn(Opcodes.CHECKCAST, type); // the frames say the local holds a SocketAddress
                }
                super.visitVarInsn(Opcodes.ASTORE, 1);
            }
        };
    }

    /** Before each {@code IRETURN}: {@code result = NettyDispatch.connectDone(this, result)}. */
    private static MethodVisitor connectDoneAtReturns(MethodVisitor mv) {
        return new MethodVisitor(OpenedClassReader.ASM_API, mv) {
            @Override
            public void visitInsn(int opcode) {
                if (opcode == Opcodes.IRETURN) {
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitInsn(Opcodes.SWAP);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, "connectDone", "(Ljava/lang/Object;I)I",
                            false);
                }
                super.visitInsn(opcode);
            }
        };
    }

    /** First thing: {@code NettyDispatch.<hook>(this)}. */
    /**
     * The method with, first thing, {@code if (NettyDispatch.holdWrites(this, arg0)) return;}: the one hook that
     * adds a branch. Its target is the method's first instruction, whose frame is the method's initial one (a {@code
     * F_SAME} frame, relative to it, leaves the frames that follow as they were); {@code doWrite} starts with no
     * frame of its own (its first instruction is no jump target).
     */
    private static MethodVisitor returningWhenHeld(MethodVisitor mv) {
        return new MethodVisitor(OpenedClassReader.ASM_API, mv) {
            @Override
            public void visitCode() {
                super.visitCode();
                Label write = new Label();
                super.visitVarInsn(Opcodes.ALOAD, 0);
                super.visitVarInsn(Opcodes.ALOAD, 1);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, "holdWrites",
                        "(Ljava/lang/Object;Ljava/lang/Object;)Z", false);
                super.visitJumpInsn(Opcodes.IFEQ, write);
                super.visitInsn(Opcodes.RETURN);
                super.visitLabel(write);
                super.visitFrame(Opcodes.F_SAME, 0, null, 0, null);
            }
        };
    }

    private static MethodVisitor withThisAtEntry(MethodVisitor mv, final String hook) {
        return new MethodVisitor(OpenedClassReader.ASM_API, mv) {
            @Override
            public void visitCode() {
                super.visitCode();
                super.visitVarInsn(Opcodes.ALOAD, 0);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, hook, "(Ljava/lang/Object;)V", false);
            }
        };
    }

    /**
     * The method with, first thing, {@code NettyDispatch.<hook>(this, arg0)}, or {@code NettyDispatch.<hook>(constant)}
     * when {@code constant} is given (a constructor, before its super call: {@code this} is not usable yet).
     */
    private static MethodVisitor atEntry(MethodVisitor mv, final String hook, final String constant) {
        return new MethodVisitor(OpenedClassReader.ASM_API, mv) {
            @Override
            public void visitCode() {
                super.visitCode();
                if (constant != null) {
                    super.visitLdcInsn(constant);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, hook, "(Ljava/lang/String;)V", false);
                } else {
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitVarInsn(Opcodes.ALOAD, 1);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, hook,
                            "(Ljava/lang/Object;Ljava/lang/Object;)V", false);
                }
            }
        };
    }
}
