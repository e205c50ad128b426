/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libxml2, loaded with dlopen() the first time XML is read or built
 * (vp_xml_load): detect, hugepages and gpu never need it, and linked it
 * cost every run its ICU and libstdc++ (a fifth of detect's CPU time).
 * Include this instead of <libxml/...>: the xml* names a file calls are
 * then calls through the table, with libxml2's own prototypes (typeof), so
 * a wrong signature does not compile. A name missing from the list below
 * is an undefined symbol at link time, not a crash.
 */
#pragma once

#include <libxml/SAX2.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xpath.h>

#define VP_XML_SYMBOLS(X)                                                                  \
	X(xmlAddChild) X(xmlAddNextSibling) X(xmlAddPrevSibling) X(xmlBufferContent)       \
	X(xmlBufferCreate) X(xmlBufferFree) X(xmlCtxtReadMemory) X(xmlDocCopyNode)         \
	X(xmlDocGetRootElement) X(xmlFree) X(xmlFreeDoc) X(xmlFreeNode)                    \
	X(xmlFreeParserCtxt) X(xmlGetProp) X(xmlIsBlankNode) X(xmlNewChild) X(xmlNewDoc)   \
	X(xmlNewDocComment) X(xmlNewDocNode) X(xmlNewDocText) X(xmlNewParserCtxt)          \
	X(xmlNewProp) X(xmlNodeDump) X(xmlNodeGetContent) X(xmlReadMemory)                 \
	X(xmlSAX2GetLineNumber) X(xmlSetStructuredErrorFunc) X(xmlStopParser)              \
	X(xmlStrEqual) X(xmlUnlinkNode) X(xmlXPathEvalExpression) X(xmlXPathFreeContext)   \
	X(xmlXPathFreeObject) X(xmlXPathNewContext)

/* Each symbol's address in the library (xmlFree is a variable holding a function). */
struct vp_xml_api {
#define VP_XML_MEMBER(sym) typeof(&sym) sym;
	VP_XML_SYMBOLS(VP_XML_MEMBER)
#undef VP_XML_MEMBER
};

extern struct vp_xml_api vp_xml_api;

/*
 * Loads libxml2.so.2 once. Returns 0, or -ENOPKG with *ret_msg saying
 * how to install it. Every function that calls an xml* name is reached
 * through one that called this first.
 */
int vp_xml_load(char **ret_msg);

#ifndef VP_XML_API_IMPL
#define xmlAddChild (*vp_xml_api.xmlAddChild)
#define xmlAddNextSibling (*vp_xml_api.xmlAddNextSibling)
#define xmlAddPrevSibling (*vp_xml_api.xmlAddPrevSibling)
#define xmlBufferContent (*vp_xml_api.xmlBufferContent)
#define xmlBufferCreate (*vp_xml_api.xmlBufferCreate)
#define xmlBufferFree (*vp_xml_api.xmlBufferFree)
#define xmlCtxtReadMemory (*vp_xml_api.xmlCtxtReadMemory)
#define xmlDocCopyNode (*vp_xml_api.xmlDocCopyNode)
#define xmlDocGetRootElement (*vp_xml_api.xmlDocGetRootElement)
#define xmlFree (*vp_xml_api.xmlFree)
#define xmlFreeDoc (*vp_xml_api.xmlFreeDoc)
#define xmlFreeNode (*vp_xml_api.xmlFreeNode)
#define xmlFreeParserCtxt (*vp_xml_api.xmlFreeParserCtxt)
#define xmlGetProp (*vp_xml_api.xmlGetProp)
#define xmlIsBlankNode (*vp_xml_api.xmlIsBlankNode)
#define xmlNewChild (*vp_xml_api.xmlNewChild)
#define xmlNewDoc (*vp_xml_api.xmlNewDoc)
#define xmlNewDocComment (*vp_xml_api.xmlNewDocComment)
#define xmlNewDocNode (*vp_xml_api.xmlNewDocNode)
#define xmlNewDocText (*vp_xml_api.xmlNewDocText)
#define xmlNewParserCtxt (*vp_xml_api.xmlNewParserCtxt)
#define xmlNewProp (*vp_xml_api.xmlNewProp)
#define xmlNodeDump (*vp_xml_api.xmlNodeDump)
#define xmlNodeGetContent (*vp_xml_api.xmlNodeGetContent)
#define xmlReadMemory (*vp_xml_api.xmlReadMemory)
#define xmlSAX2GetLineNumber (*vp_xml_api.xmlSAX2GetLineNumber)
#define xmlSetStructuredErrorFunc (*vp_xml_api.xmlSetStructuredErrorFunc)
#define xmlStopParser (*vp_xml_api.xmlStopParser)
#define xmlStrEqual (*vp_xml_api.xmlStrEqual)
#define xmlUnlinkNode (*vp_xml_api.xmlUnlinkNode)
#define xmlXPathEvalExpression (*vp_xml_api.xmlXPathEvalExpression)
#define xmlXPathFreeContext (*vp_xml_api.xmlXPathFreeContext)
#define xmlXPathFreeObject (*vp_xml_api.xmlXPathFreeObject)
#define xmlXPathNewContext (*vp_xml_api.xmlXPathNewContext)
#endif
